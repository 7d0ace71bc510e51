// The `humaneval-x` dataset: HumanEval-X JavaScript (THUDM/CodeGeeX humaneval_js.jsonl[.gz]). Each console.assert
// becomes its own throwing test case (split.ts); helpers the prompt declares run in the checker as test setup;
// the documented errata (errata.ts) are reported by id and, unless `errata` is "report", replace the canonical
// solution (the upstream text stays in meta).
import { createHash } from 'node:crypto';
import { definePlugin } from 'crucible-ml';
import type { Problem } from 'crucible-ml';
import { checkFields, checkUniqueIds, datasetError, readJsonlRecords } from '../python/fields.js';
import { datasetFile, nonEmpty, pathOption } from '../source.js';
import { entryPointAndSetup, splitConsoleAsserts } from './split.js';
import { HUMANEVAL_X_JS_ERRATA } from './errata.js';

const FIELDS = { task_id: 'string', prompt: 'string', canonical_solution: 'string', test: 'string', declaration: 'string' } as const;

export default definePlugin({
  kind: 'dataset',
  name: 'humaneval-x',
  version: '1.0.0',
  apiVersion: '^1',
  description: 'HumanEval-X JavaScript (jsonl or jsonl.gz): one throwing test per console.assert, prompt helpers as trusted test setup, documented errata for JavaScript/112, /155 and /162',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['path'],
    properties: {
      path: pathOption('The jsonl or jsonl.gz file, relative to the manifest\'s folder (absolute paths work too).'),
      errata: {
        type: 'string',
        enum: ['apply', 'report'],
        default: 'apply',
        description: 'apply: the errata\'s corrected canonical solutions replace the defective upstream ones (the upstream text stays in meta.errata); report: keep the upstream ones. Both log the ids.',
      },
    },
  } as const,
  create(config, ctx) {
    const file = datasetFile(config.path, ctx.baseDir);
    return {
      async load(): Promise<Problem[]> {
        const records = nonEmpty(readJsonlRecords(file), file);
        for (const r of records) checkFields(r, FIELDS, { example_test: 'string' });
        checkUniqueIds(records.map((r) => ({ id: r.value.task_id as string, where: r.where })));
        const applied: string[] = [];
        const stale: string[] = [];
        const problems = records.map((r): Problem => {
          const v = r.value as Record<string, string>;
          let split: { tests: string[] };
          let declared: { entryPoint: string; setup: string };
          try {
            split = splitConsoleAsserts(v.test);
          } catch (error) {
            throw datasetError({ ...r.where, path: 'test' }, `${v.task_id}: cannot split its test into assertions: ${(error as Error).message}`);
          }
          try {
            declared = entryPointAndSetup(v.declaration);
          } catch (error) {
            throw datasetError({ ...r.where, path: 'declaration' }, `${v.task_id}: cannot find the entry point: ${(error as Error).message}`);
          }
          const meta: Record<string, unknown> = { dataset: 'humaneval-x', line: r.where.line };
          let canonicalSolution = v.canonical_solution;
          const erratum = HUMANEVAL_X_JS_ERRATA[v.task_id];
          if (erratum) {
            const upstream = createHash('sha256').update(v.canonical_solution).digest('hex');
            if (upstream !== erratum.upstreamSha256) stale.push(v.task_id);
            else if (config.errata === 'apply') {
              applied.push(v.task_id);
              canonicalSolution = erratum.correctedSolution;
              meta.errata = { reason: erratum.reason, applied: true, upstreamCanonicalSolution: v.canonical_solution };
            } else {
              meta.errata = { reason: erratum.reason, applied: false, correctedSolution: erratum.correctedSolution };
            }
          }
          return {
            id: v.task_id,
            prompt: v.prompt,
            entryPoint: declared.entryPoint,
            tests: split.tests.map((code, k) => ({ id: `t${k}`, code })),
            testSetup: declared.setup,
            canonicalSolution,
            language: 'javascript',
            meta,
          };
        });
        const known = Object.keys(HUMANEVAL_X_JS_ERRATA).filter((id) => problems.some((p) => p.id === id));
        if (known.length) {
          ctx.events.record('humaneval-x.errata', { ids: known, applied, stale, mode: config.errata });
          ctx.logger.warn(
            { errata: known, applied, stale, file },
            `humaneval-x: upstream canonical solutions of ${known.join(', ')} are defective (documented errata); ` +
              (config.errata === 'apply' ? `corrected: ${applied.join(', ') || 'none'}` : 'kept as upstream (errata: "report")') +
              (stale.length ? `; not applied, the upstream text differs from the one the erratum corrects: ${stale.join(', ')}` : ''),
          );
        }
        ctx.logger.info({ file, problems: problems.length, tests: problems.reduce((n, p) => n + p.tests.length, 0) }, 'humaneval-x loaded');
        return problems;
      },
    };
  },
});
