// The root container holds process-wide services; each run gets a child container with its own
// logger, seeded RNG, event log, shared services and cancellation signal, from which the run's Runner and
// RunServices (what every stage draws on) are resolved.
import 'reflect-metadata';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { join } from 'node:path';
import type { Logger as PinoLogger } from 'pino';
import { DiskCache } from '../services/cache.js';
import { systemClock } from '../services/clock.js';
import { SeededRng } from '../../util/rng.js';
import { EventLog } from '../runner/event-log.js';
import type { RunRecord, RunStorage } from '../runner/run-storage.js';
import type { Pipeline, RunResultsBase } from '../runner/run-state.js';
import { TOKENS } from './tokens.js';
import { RunSharedServices } from '../services/shared.js';
import { RunServices } from '../runner/stage-context.js';

/** Writes the human-readable report of a finished run (a host concern: the kernel writes results.json). */
export type ReportWriter = ((runDir: string, results: RunResultsBase) => Promise<unknown>) | undefined;

/** `pipeline`: what every run of this root does; `writeReport`: how its report is written (both the host's). */
export function createRootContainer(store: RunStorage, logger: PinoLogger, pipeline: Pipeline, writeReport?: ReportWriter): DependencyContainer {
  const c = rootContainer.createChildContainer();
  c.registerInstance(TOKENS.Pipeline, pipeline);
  c.registerInstance(TOKENS.RunStore, store);
  c.registerInstance<ReportWriter>(TOKENS.ReportWriter, writeReport);
  c.registerInstance(TOKENS.Logger, logger);
  c.registerInstance(TOKENS.Clock, systemClock);
  c.registerInstance(TOKENS.Cache, new DiskCache(join(store.cacheDir, 'plugins')));
  return c;
}

/** How one execution of a run uses finished stages: `noCache` ignores the shared cache; `fresh` reruns that stage and all after it. */
export interface StageCacheOptions {
  noCache?: boolean;
  fresh?: string;
}

export function createRunContainer(parent: DependencyContainer, record: RunRecord, signal: AbortSignal, cacheOptions: StageCacheOptions = {}): DependencyContainer {
  const store = parent.resolve<RunStorage>(TOKENS.RunStore);
  const c = parent.createChildContainer();
  const seed = record.manifest.seed as number; // a resolved manifest: the schema filled its default
  c.registerInstance(TOKENS.RunRecord, record);
  c.registerInstance(TOKENS.Signal, signal);
  c.registerInstance<StageCacheOptions>(TOKENS.CacheOptions, cacheOptions);
  c.registerInstance(TOKENS.Rng, new SeededRng(seed));
  const events = new EventLog(join(store.runDir(record.id), 'events.jsonl'));
  c.registerInstance(TOKENS.EventLog, events);
  c.registerInstance(TOKENS.Logger, parent.resolve<PinoLogger>(TOKENS.Logger).child({ run: record.id }));
  c.registerInstance(TOKENS.Shared, new RunSharedServices(c, (key) => events.emitEvent('shared', { key })));
  // Built once per run: the Runner and every stage share this one object.
  c.registerSingleton(RunServices);
  return c;
}
