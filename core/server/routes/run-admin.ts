// Housekeeping of runs: tags and metadata (labels to find runs by; not part of the experiment) and delete.
import { rmSync } from 'node:fs';
import { FINAL_STATES } from '../../store/run-index.js';
import type { App, ServerContext } from '../context.js';
import { HttpError } from '../http-errors.js';
import { errorResponses, runIdParams, runSummarySchema } from '../schemas.js';
import { assertRun } from './runs.js';

const labelsBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    tags: { type: 'array', maxItems: 50, items: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[^,]+$' }, description: 'replaces the run\'s tags' },
    metadata: { type: 'object', maxProperties: 50, additionalProperties: { type: 'string', maxLength: 1000 }, description: 'replaces the run\'s metadata (keys of letters, digits, . _ -; string values)' },
  },
} as const;

export function runAdminRoutes(app: App, ctx: ServerContext): void {
  app.patch('/v1/runs/:id', {
    schema: {
      operationId: 'updateRunLabels', tags: ['runs'], summary: 'set a run\'s tags and/or metadata (filter the list with ?tag= and ?metadata=key=value)',
      params: runIdParams, body: labelsBody,
      response: { 200: runSummarySchema, ...errorResponses },
    },
  }, async (request) => {
    const row = assertRun(ctx, request.params.id);
    const bad = Object.keys(request.body.metadata ?? {}).find((k) => !/^[A-Za-z0-9._-]{1,100}$/.test(k));
    if (bad !== undefined) throw new HttpError(400, 'CRUCIBLE_E_INPUT', 'invalid metadata key', [{ path: `body.metadata.${bad.slice(0, 100)}`, message: 'keys are 1-100 letters, digits, ".", "_" or "-"' }]);
    ctx.store.index.setLabels(row.id, request.body as { tags?: string[]; metadata?: Record<string, string> });
    const updated = ctx.store.index.get(row.id)!;
    return { id: updated.id, name: updated.name, state: updated.state, createdAt: updated.createdAt, startedAt: updated.startedAt, finishedAt: updated.finishedAt, headline: updated.headline, error: updated.error, interrupted: updated.interrupted, tags: updated.tags, metadata: updated.metadata };
  });

  app.delete('/v1/runs/:id', {
    schema: {
      operationId: 'deleteRun', tags: ['runs'], summary: 'delete a finished run: its folder and its index entry (cached stages other runs share stay)',
      params: runIdParams,
      response: { 204: { type: 'null', description: 'deleted' }, ...errorResponses },
    },
  }, async (request, reply) => {
    const row = assertRun(ctx, request.params.id);
    if (!FINAL_STATES.includes(row.state) || ctx.scheduler.isActive(row.id)) {
      throw new HttpError(409, 'CRUCIBLE_E_RUN_STATE', `run ${row.id} is ${row.state}: only a finished run can be deleted`, [{ message: 'cancel it first', hint: `POST /v1/runs/${row.id}/cancel` }]);
    }
    ctx.store.index.delete(row.id);
    rmSync(ctx.store.runDir(row.id), { recursive: true, force: true });
    return reply.status(204).send(null);
  });
}
