// GET /v1/compare?a=&b=: compares two runs' saved evaluations (B against A) through the kernel's
// compareRuns (the evaluator plugin's own compare(): paired tests per metric for pass-at-k). The two
// headlines are always returned side by side; when the evaluator cannot compare, `comparison` is null
// and `note` says why.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CrucibleError, isCrucibleError } from '../../errors.js';
import { compareRuns } from '../../runner/compare.js';
import type { App, ServerContext } from '../context.js';
import { errorResponses, freeObject } from '../schemas.js';
import { assertRun } from './runs.js';

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
