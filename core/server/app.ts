// Builds the fastify app: auth, limits, coded errors, OpenAPI docs, and the /v1 routes.
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger as PinoLogger } from 'pino';
import { RunStore } from '../store/run-store.js';
import { guardStorage } from '../store/storage-error.js';
import { packageRoot } from '../util/package-root.js';
import { installAuth } from './auth.js';
import type { App, ServerContext } from './context.js';
import { HttpError, installErrorHandlers, makeScrubber } from './http-errors.js';
import { installDepthLimit } from './json-depth.js';
import type { FinalOptions } from './options.js';
import { nameOperation, polishDocument } from './openapi.js';
import { RouteSuggester } from './suggest.js';
import { ProgressTracker } from './progress.js';
import { artifactRoutes } from './routes/artifacts.js';
import { compareRoutes } from './routes/compare.js';
import { eventRoutes } from './routes/events.js';
import { manifestRoutes } from './routes/manifests.js';
import { metaRoutes } from './routes/meta.js';
import { problemRoutes } from './routes/problems.js';
import { runRoutes } from './routes/runs.js';
import { runAdminRoutes } from './routes/run-admin.js';
import { uiRoutes } from './ui/routes.js';
import { Scheduler } from './scheduler.js';

export interface BuiltServer {
  app: App;
  ctx: ServerContext;
}

export async function buildServer(options: FinalOptions, logger: PinoLogger): Promise<BuiltServer> {
  const version = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  const store = guardStorage(options.runsDir, () => new RunStore(options.runsDir), true);
  const scheduler = new Scheduler(store, { maxConcurrent: options.maxConcurrent, cancelGraceMs: options.cancelGraceMs, onRestart: options.onRestart, logger, passEnv: options.passEnv });
  const ctx: ServerContext = { store, scheduler, progress: new ProgressTracker((id) => store.runDir(id)), options, version };

  // Per-request log lines are off (a poll loop would flood the log); errors are logged by the error handler.
  // forceCloseConnections: open event streams must not hold a shutdown.
  const app: App = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: options.bodyLimit,
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: true,
  }).withTypeProvider<JsonSchemaToTsProvider>();
  const scrub = makeScrubber([
    { dir: options.manifestsDir, label: '' },
    { dir: store.root, label: '<runs>/' },
    ...options.allowPluginDirs.map((dir, i) => ({ dir, label: `<plugin-dir-${i}>/` })),
    { dir: packageRoot(), label: '<crucible>/' },
  ]);
  const routes = new RouteSuggester();
  app.addHook('onRoute', (route) => routes.add(route.method, route.url));
  installErrorHandlers(app, scrub, routes);
  installDepthLimit(app);

  if (options.rateLimit > 0) {
    await app.register(rateLimit, {
      max: options.rateLimit,
      timeWindow: '1 minute',
      errorResponseBuilder: (_request, context) => new HttpError(429, 'CRUCIBLE_E_RATE_LIMIT', `rate limit of ${context.max} requests per ${context.after} exceeded`),
    });
  }
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'crucible control API', version, description: 'submit, watch, cancel and fetch experiment runs' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
      tags: [{ name: 'meta' }, { name: 'manifests' }, { name: 'runs' }, { name: 'artifacts' }],
    },
    transformObject: (documentObject) => polishDocument((documentObject as { openapiObject: Record<string, unknown> }).openapiObject, { version }),
  });
  app.addHook('onRoute', nameOperation);
  await app.register(swaggerUi, { routePrefix: '/docs' });
  installAuth(app, options.token, { publicDocs: options.publicDocs });

  metaRoutes(app, ctx);
  manifestRoutes(app, ctx);
  runRoutes(app, ctx);
  eventRoutes(app, ctx);
  artifactRoutes(app, ctx);
  compareRoutes(app, ctx);
  problemRoutes(app, ctx);
  runAdminRoutes(app, ctx);
  uiRoutes(app, ctx);

  app.addHook('onClose', async () => {
    await scheduler.stop();
    store.close();
  });
  return { app, ctx };
}
