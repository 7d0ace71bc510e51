// The per-problem view of a run: problems with their sample counts, and one problem's samples (code,
// verdict, per-test outcomes, score) and pairs. Problem ids hold slashes (HumanEval/0): a query parameter.
import type { App, ServerContext } from '../context.js';
import { HttpError } from '../http-errors.js';
import { listProblems, problemDetail } from '../run-view.js';
import { errorResponses, freeObject, runIdParams } from '../schemas.js';
import { assertRun } from './runs.js';

const problemRow = {
  type: 'object',
  required: ['id', 'samples', 'passed', 'pairs'],
  properties: { id: { type: 'string' }, split: { type: ['string', 'null'] }, samples: { type: 'integer' }, passed: { type: 'integer' }, meanScore: { type: ['number', 'null'] }, pairs: { type: 'integer' } },
} as const;

export function problemRoutes(app: App, ctx: ServerContext): void {
  app.get('/v1/runs/:id/problems', {
    schema: {
      operationId: 'listRunProblems', tags: ['runs'], summary: 'the run\'s problems: split, samples executed and passing, mean score, pairs',
      params: runIdParams,
      response: { 200: { type: 'object', required: ['problems'], properties: { problems: { type: 'array', items: problemRow } } }, ...errorResponses },
    },
  }, async (request) => {
    const row = assertRun(ctx, request.params.id);
    return { problems: listProblems(ctx.store.runDir(row.id)) };
  });

  app.get('/v1/runs/:id/problem', {
    schema: {
      operationId: 'getRunProblem', tags: ['runs'], summary: 'one problem of a run: prompt and tests, each sample\'s code, verdict, per-test outcomes and score, the pairs chosen/rejected',
      params: runIdParams,
      querystring: { type: 'object', required: ['problem'], properties: { problem: { type: 'string', minLength: 1, maxLength: 300 } } },
      response: { 200: freeObject, ...errorResponses },
    },
  }, async (request) => {
    const row = assertRun(ctx, request.params.id);
    const detail = problemDetail(ctx.store.runDir(row.id), request.query.problem);
    if (!detail) throw new HttpError(404, 'CRUCIBLE_E_NOT_FOUND', `no problem "${request.query.problem}" in run ${row.id}`);
    return detail;
  });
}
