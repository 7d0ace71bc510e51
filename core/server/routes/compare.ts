// GET /v1/compare?a=&b=: compares two runs' saved evaluations (B against A) through the kernel's
// compareRuns (the evaluator plugin's own compare(): paired tests per metric for pass-at-k). The two
// headlines are always returned side by side; when the evaluator cannot compare, `comparison` is null
// and `note` says why.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CrucibleError, isCrucibleError } from '../../kernel/errors.js';
import { compareRuns } from '../../store/compare.js';
import type { App, ServerContext } from '../context.js';
import { errorResponses, freeObject } from '../schemas.js';
import { assertRun } from './runs.js';
import { compareManyRuns } from '../../compare/compare.js';
import { renderComparisonHtml } from '../../compare/html.js';

const runsQuery = {
  type: 'object', required: ['runs'],
  properties: { runs: { type: 'string', minLength: 1, maxLength: 2000, pattern: '^[A-Za-z0-9._-]+(,[A-Za-z0-9._-]+)+$', description: 'two or more run ids, comma-separated; the first is the reference' } },
} as const;

function runIds(ctx: ServerContext, runs: string): string[] {
  const ids = runs.split(',');
  ids.forEach((id) => assertRun(ctx, id));
  return ids;
}

async function readHeadline(ctx: ServerContext, id: string, label: string): Promise<Record<string, number>> {
  assertRun(ctx, id);
  try {
    const evaluation = JSON.parse(await readFile(join(ctx.store.runDir(id), 'stages', 'evaluate', 'evaluation.json'), 'utf8')) as { headline?: Record<string, number> };
    return evaluation.headline ?? {};
  } catch {
    throw CrucibleError.at('CRUCIBLE_E_COMPARE', { path: label, message: `run ${id} has no finished evaluation`, hint: 'both runs need a finished evaluator stage' });
  }
}

const side = { type: 'object', required: ['id', 'headline'], properties: { id: { type: 'string' }, headline: { type: 'object', additionalProperties: { type: 'number' } } } } as const;

export function compareRoutes(app: App, ctx: ServerContext): void {
  app.get('/v1/comparisons', {
    schema: {
      operationId: 'compareRuns', tags: ['runs'],
      summary: 'compare two or more runs: manifest differences, executed samples, scores, pairing, training, evaluations with paired tests against the first run, per-problem flips',
      querystring: runsQuery,
      response: { 200: freeObject, ...errorResponses },
    },
  }, async (request) => (await compareManyRuns(ctx.store, runIds(ctx, request.query.runs))) as unknown as Record<string, unknown>);

  app.get('/v1/comparisons/report', {
    schema: {
      operationId: 'compareRunsReport', tags: ['runs'], summary: 'the same comparison as a self-contained HTML page (charts and tables)',
      querystring: runsQuery,
      response: { 200: { description: 'an HTML page', content: { 'text/html': { schema: { type: 'string' } } } }, ...errorResponses },
    },
  }, async (request, reply) => {
    const html = renderComparisonHtml(await compareManyRuns(ctx.store, runIds(ctx, request.query.runs)));
    return reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:")
      .send(html);
  });

  app.get('/v1/compare', {
    schema: {
      tags: ['runs'],
      summary: 'compare two runs\' evaluations (B against A)',
      querystring: { type: 'object', required: ['a', 'b'], properties: { a: { type: 'string', maxLength: 200 }, b: { type: 'string', maxLength: 200 } } },
      response: {
        200: {
          type: 'object',
          required: ['a', 'b', 'comparison'],
          properties: {
            a: side,
            b: side,
            comparison: { ...freeObject, nullable: true, description: 'the evaluator\'s comparison, or null when it could not be made (see note)' },
            note: { type: 'string' },
          },
        },
        ...errorResponses,
      },
    },
  }, async (request) => {
    const { a, b } = request.query;
    const [ha, hb] = await Promise.all([readHeadline(ctx, a, 'a'), readHeadline(ctx, b, 'b')]);
    const out = { a: { id: a, headline: ha }, b: { id: b, headline: hb } };
    try {
      return { ...out, comparison: await compareRuns(ctx.store, a, b) };
    } catch (error) {
      // Evaluators without compare(), different evaluators or different problems: headlines still help.
      if (!isCrucibleError(error) || error.code !== 'CRUCIBLE_E_COMPARE') throw error;
      return { ...out, comparison: null, note: `${error.code}: ${error.message}` };
    }
  });
}
