// GET /v1/compare?a=&b=: compares two runs' saved evaluations (B against A) with the stats evaluator's
// comparison (paired tests per pass@k, metric and taxonomy changes) when it is installed; the two
// headlines are always returned side by side.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CrucibleError, isCrucibleError } from '../../errors.js';
import type { App, ServerContext } from '../context.js';
import { errorResponses, freeObject } from '../schemas.js';
import { assertRun } from './runs.js';

type CompareFn = (a: { details: unknown }, b: { details: unknown }, options: { labels: [string, string] }) => unknown;

// Loaded lazily through a computed specifier: core/ keeps no static dependency on plugins/.
const STATS_MODULE = ['..', '..', '..', 'plugins', 'evaluators', 'stats', 'index.js'].join('/');
let statsCompare: Promise<CompareFn | undefined> | undefined;
function loadCompare(): Promise<CompareFn | undefined> {
  statsCompare ??= import(STATS_MODULE).then(
    (m: { compareSavedEvaluations?: CompareFn }) => m.compareSavedEvaluations,
    () => undefined,
  );
  return statsCompare;
}

async function readEvaluation(ctx: ServerContext, id: string, label: string): Promise<{ headline: Record<string, number>; details: unknown }> {
  assertRun(ctx, id);
  try {
    return JSON.parse(await readFile(join(ctx.store.runDir(id), 'stages', 'evaluate', 'evaluation.json'), 'utf8'));
  } catch {
    throw CrucibleError.at('CRUCIBLE_E_COMPARE', { path: label, message: `run ${id} has no finished evaluation`, hint: 'both runs need a finished evaluator stage' });
  }
}

const side = { type: 'object', required: ['id', 'headline'], properties: { id: { type: 'string' }, headline: { type: 'object', additionalProperties: { type: 'number' } } } } as const;

export function compareRoutes(app: App, ctx: ServerContext): void {
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
            comparison: { ...freeObject, nullable: true, description: 'the statistical comparison, or null when it could not be made (see note)' },
            note: { type: 'string' },
          },
        },
        ...errorResponses,
      },
    },
  }, async (request) => {
    const { a, b } = request.query;
    const [ea, eb] = await Promise.all([readEvaluation(ctx, a, 'a'), readEvaluation(ctx, b, 'b')]);
    const out = { a: { id: a, headline: ea.headline ?? {} }, b: { id: b, headline: eb.headline ?? {} } };
    const compare = await loadCompare();
    if (!compare) return { ...out, comparison: null, note: 'the statistical comparison (stats evaluator) is not installed on this server: headlines only' };
    try {
      return { ...out, comparison: compare(ea, eb, { labels: ['a', 'b'] }) as Record<string, unknown> };
    } catch (error) {
      // Evaluations from evaluators without per-problem pass@k (or over different problems) still show headlines.
      if (!isCrucibleError(error)) throw error;
      return { ...out, comparison: null, note: `${error.code}: ${error.message}` };
    }
  });
}
