// Runs: submit (durable queue, Idempotency-Key), list, get (state, stage progress, headline), cancel, resume.
import { join } from 'node:path';
import { CrucibleError } from '../../kernel/errors.js';
import type { PluginPolicy } from '../../kernel/manifest/validate.js';
import { createRun } from '../../store/session.js';
import { enforceHostPolicy } from '../../policy/host-policy.js';
import { packageRoot } from '../../util/package-root.js';
import { RUN_STATES, type RunRow } from '../../store/run-index.js';
import { hashJson } from '../../util/hash.js';
import type { App, ServerContext } from '../context.js';
import { HttpError } from '../http-errors.js';
import { resolvePosted } from '../manifest-input.js';
import { errorResponses, manifestBodySchema, runDetailSchema, runIdParams, runSummarySchema } from '../schemas.js';

/**
 * What a submitted manifest may name (see docs/security.md): built-in, allowed-package or allowed-folder plugins;
 * files to read only under the data folders, the manifests and runs folders and the embedded models; nothing
 * to write outside the run's folder; no programs; URLs and environment variables only as the operator allowed;
 * isolation weakened only with --allow-unsandboxed.
 */
export const policyOf = (ctx: ServerContext): PluginPolicy => ({
  allowedPackages: ctx.options.allowPackages,
  allowedPaths: ctx.options.allowPluginDirs,
  host: enforceHostPolicy({
    readRoots: [...ctx.options.dataDirs, ctx.options.manifestsDir, ctx.store.root, join(packageRoot(), 'models')],
    allowWrites: false,
    allowExecutables: false,
    allowWeakenedIsolation: ctx.options.allowUnsandboxed,
    allowedUrls: ctx.options.allowUrls,
    allowedEnv: ctx.options.passEnv,
  }),
});

const summary = (r: RunRow) => ({
  id: r.id,
  name: r.name,
  state: r.state,
  createdAt: r.createdAt,
  startedAt: r.startedAt,
  finishedAt: r.finishedAt,
  headline: r.headline,
  error: r.error,
  interrupted: r.interrupted,
  tags: r.tags,
  metadata: r.metadata,
});

const submittedSchema = {
  type: 'object',
  required: ['id', 'state', 'replayed'],
  properties: { id: { type: 'string' }, state: { type: 'string', enum: RUN_STATES }, replayed: { type: 'boolean', description: 'true when an Idempotency-Key matched an earlier submit' } },
} as const;

export function runRoutes(app: App, ctx: ServerContext): void {
  const { store, scheduler } = ctx;

  app.post('/v1/runs', {
    schema: {
      tags: ['runs'],
      summary: 'submit a run: validated, queued durably, executed in a worker process',
      headers: { type: 'object', properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 200, pattern: '^[\\x21-\\x7e]+$' } } },
      body: manifestBodySchema,
      response: { 202: submittedSchema, ...errorResponses },
    },
  }, async (request, reply) => {
    const key = request.headers['idempotency-key'];
    const replay = (row: RunRow, hash: string) => {
      if (row.manifestHash !== hash) {
        throw new HttpError(409, 'CRUCIBLE_E_RUN_STATE', 'this Idempotency-Key was used for a different manifest', [{ message: `earlier run ${row.id}`, hint: 'use a new key for a new run' }]);
      }
      reply.header('location', `/v1/runs/${row.id}`).status(202);
      return { id: row.id, state: row.state, replayed: true };
    };
    const resolved = await resolvePosted(request.body, { manifestsDir: ctx.options.manifestsDir, policy: policyOf(ctx) });
    const hash = hashJson(resolved.manifest);
    if (key) {
      const earlier = store.index.byIdempotencyKey(key);
      if (earlier) return replay(earlier, hash);
    }
    let id: string;
    try {
      id = createRun(store, resolved, { idempotencyKey: key, state: 'QUEUED' }).id;
    } catch (error) {
      // Two concurrent submits with one key: the UNIQUE index lets one win; the other replays it.
      const again = key ? store.index.byIdempotencyKey(key) : undefined;
      if (again) return replay(again, hash);
      throw error;
    }
    request.log.info({ run: id }, 'run queued');
    // The answer reports the state the run was accepted in; the scheduler may start it at once.
    const accepted = store.row(id).state;
    scheduler.tick();
    reply.header('location', `/v1/runs/${id}`).status(202);
    return { id, state: accepted, replayed: false };
  });

  app.get('/v1/runs', {
    schema: {
      tags: ['runs'],
      summary: 'list runs, newest first',
      querystring: {
        type: 'object',
        properties: {
          state: { type: 'string', enum: RUN_STATES },
          name: { type: 'string', maxLength: 200 },
          tag: { type: 'string', maxLength: 1000, description: 'runs carrying every one of these comma-separated tags' },
          metadata: { type: 'string', maxLength: 1000, description: 'runs whose metadata has each comma-separated key=value' },
          limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
          offset: { type: 'integer', minimum: 0, default: 0 },
        },
      },
      response: {
        200: { type: 'object', required: ['runs', 'total', 'limit', 'offset'], properties: { runs: { type: 'array', items: runSummarySchema }, total: { type: 'integer' }, limit: { type: 'integer' }, offset: { type: 'integer' } } },
        ...errorResponses,
      },
    },
  }, async (request) => {
    const { state, name, tag, metadata, limit = 50, offset = 0 } = request.query;
    const tags = tag ? tag.split(',').filter(Boolean) : undefined;
    const meta = metadata ? Object.fromEntries(metadata.split(',').filter(Boolean).map((kv) => {
      const i = kv.indexOf('=');
      if (i < 1) throw new HttpError(400, 'CRUCIBLE_E_INPUT', `metadata filter "${kv.slice(0, 100)}" is not key=value`, [{ path: 'querystring.metadata', message: 'use metadata=key=value[,key=value...]' }]);
      return [kv.slice(0, i), kv.slice(i + 1)];
    })) : undefined;
    const { runs, total } = store.index.list({ state, name, tags, metadata: meta, limit, offset });
    return { runs: runs.map(summary), total, limit, offset };
  });

  app.get('/v1/runs/:id', {
    schema: { tags: ['runs'], summary: 'one run: state, stage progress, headline metrics, error', params: runIdParams, response: { 200: runDetailSchema, ...errorResponses } },
  }, async (request) => {
    const row = assertRun(ctx, request.params.id);
    const { stages, lastSeq } = await ctx.progress.stages(row.id);
    return { ...summary(row), stages, lastSeq };
  });

  app.post('/v1/runs/:id/cancel', {
    schema: {
      tags: ['runs'],
      summary: 'cancel: QUEUED -> CANCELLED; RUNNING -> CANCELLING -> CANCELLED (the worker and its children are stopped)',
      params: runIdParams,
      response: { 202: runSummarySchema, ...errorResponses },
    },
  }, async (request, reply) => {
    const row = scheduler.cancel(request.params.id);
    reply.status(202);
    return summary(row);
  });

  app.post('/v1/runs/:id/resume', {
    schema: {
      tags: ['runs'],
      summary: 'resume a FAILED or CANCELLED run: it is queued again and finished stages are skipped',
      params: runIdParams,
      response: { 202: runSummarySchema, ...errorResponses },
    },
  }, async (request, reply) => {
    const row = scheduler.resume(request.params.id);
    reply.status(202);
    return summary(row);
  });
}

export function assertRun(ctx: ServerContext, id: string): RunRow {
  const row = ctx.store.index.get(id);
  if (!row) throw CrucibleError.at('CRUCIBLE_E_RUN_NOT_FOUND', { message: `no run "${id}"` });
  return row;
}
