// What every route file receives: the typed fastify instance and the server's shared services.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type { RunStore } from '../store/run-store.js';
import type { FinalOptions } from './options.js';
import type { ProgressTracker } from './progress.js';
import type { Scheduler } from './scheduler.js';

export type App = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, JsonSchemaToTsProvider>;

export interface ServerContext {
  store: RunStore;
  scheduler: Scheduler;
  progress: ProgressTracker;
  options: FinalOptions;
  version: string;
}
