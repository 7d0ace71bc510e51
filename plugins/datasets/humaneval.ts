// The `humaneval` dataset: openai/human-eval's jsonl(.gz) and evalplus's HumanEval+ (same problems, with
// base_input/plus_input instead of hand-written asserts).
//
// HumanEval: check(candidate) is split into one test per assertion at the AST level (python/split_checks.py);
// the test file's module-level code and `candidate = <entry_point>` go in testSetup.
// HumanEval+: each base input (and, with plusInputs, each plus input) is one test; inputs and the canonical
// solution's outputs are data the executor's checker compares (python/plus.ts, python/plus_tests.py).
// Both Python steps run once per file and are cached on disk by the file's sha256.
import { definePlugin } from 'crucible-ml';
import type { Problem } from 'crucible-ml';
import { checkFields, checkUniqueIds, datasetError, fileSha256, readJsonlRecords, type RawRecord } from './python/fields.js';
import { runTool } from './python/run.js';
import { cacheDirOption, datasetPaths, MAX_PLUS_INPUTS_OPTION, nonEmpty, pathOption } from './source.js';
import { plusProblem, runPlusTests } from './python/plus.js';

interface SplitResult { id: string; setup?: string; tests?: string[]; trivial?: number; error?: string }

const BASE_FIELDS = { task_id: 'string', prompt: 'string', entry_point: 'string', canonical_solution: 'string', test: 'string' } as const;
const PLUS_FIELDS = { ...BASE_FIELDS, base_input: 'array', atol: 'number' } as const;

export function isPlusRecord(r: RawRecord): boolean {
  return r.value !== null && typeof r.value === 'object' && 'base_input' in r.value;
}

export default definePlugin({
  kind: 'dataset',
  name: 'humaneval',
  version: '1.0.0',
  apiVersion: '^1',
  description:
    'HumanEval (openai/human-eval jsonl or jsonl.gz) and HumanEval+ (evalplus). HumanEval asserts are split one test per assertion; HumanEval+ inputs are one test each, checked against the canonical solution\'s output.',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['path'],
    properties: {
      path: pathOption('The jsonl or jsonl.gz file, relative to the manifest\'s folder (absolute paths work too).'),
      variant: {
        type: 'string',
        enum: ['auto', 'humaneval', 'plus'],
        default: 'auto',
        description: 'auto: HumanEval+ when records carry base_input, HumanEval otherwise.',
      },
      plusInputs: { type: 'boolean', default: false, description: 'HumanEval+ only: also make a test of every plus_input (~123k inputs; their expected outputs are computed once, in the sandbox, and cached by content hash).' },
      maxPlusInputs: MAX_PLUS_INPUTS_OPTION,
      keepTrivialAsserts: {
        type: 'boolean',
        default: false,
        description: 'HumanEval only: keep `assert True, "..."` lines as tests (they always pass; dropped and counted in meta by default).',
      },
      cacheDir: cacheDirOption('Where split tests and expected outputs are cached ("" = ~/.cache/crucible/datasets, a per-user 0700 folder, "none" = no cache; relative to the manifest).'),
    },
  } as const,
  create(config, ctx) {
    const { file, cacheDir } = datasetPaths(config, ctx.baseDir);
    return {
      async load(): Promise<Problem[]> {
        const records = nonEmpty(readJsonlRecords(file), file);
        const plus = config.variant === 'plus' || (config.variant === 'auto' && isPlusRecord(records[0]));
        for (const r of records) checkFields(r, plus ? PLUS_FIELDS : BASE_FIELDS, plus ? { contract: 'string' } : {});
        checkUniqueIds(records.map((r) => ({ id: r.value.task_id as string, where: r.where })));
        const fileHash = await fileSha256(file);
        ctx.throwIfCancelled();
        const problems = plus
          ? await loadPlus(records, { file, fileHash, cacheDir, plusInputs: config.plusInputs, maxPlusInputs: config.maxPlusInputs })
          : await loadBase(records, { file, fileHash, cacheDir, keepTrivial: config.keepTrivialAsserts });
        ctx.logger.info({ file, variant: plus ? 'plus' : 'humaneval', problems: problems.length, tests: problems.reduce((n, p) => n + p.tests.length, 0) }, 'humaneval loaded');
        return problems;
      },
    };
  },
});

interface LoadOptions { file: string; fileHash: string; cacheDir: string }

async function loadBase(records: RawRecord[], o: LoadOptions & { keepTrivial: boolean }): Promise<Problem[]> {
  const tasks = records.map((r) => ({
    id: r.value.task_id,
    test: r.value.test,
    entryPoint: r.value.entry_point,
    keepTrivial: o.keepTrivial,
  }));
  const results = await runTool<SplitResult>({ command: 'split-checks', tasks, file: o.file, fileHash: o.fileHash, cacheDir: o.cacheDir, options: { keepTrivial: o.keepTrivial } });
  return records.map((r, i) => {
    const res = results[i];
    const v = r.value as Record<string, string>;
    if (!res || res.id !== v.task_id) throw datasetError(r.where, `internal: the test splitter answered out of order at ${v.task_id}`);
    if (res.error) throw datasetError(r.where, `${v.task_id}: cannot split its test into assertions: ${res.error}`);
    return {
      id: v.task_id,
      prompt: v.prompt,
      entryPoint: v.entry_point,
      tests: res.tests!.map((code, k) => ({ id: `t${k}`, code })),
      testSetup: res.setup,
      canonicalSolution: v.canonical_solution,
      language: 'python',
      meta: { dataset: 'humaneval', variant: 'humaneval', line: r.where.line, droppedTrivialAsserts: res.trivial ?? 0 },
    } satisfies Problem;
  });
}

async function loadPlus(records: RawRecord[], o: LoadOptions & { plusInputs: boolean; maxPlusInputs: number }): Promise<Problem[]> {
  const tasks = records.map((r) => ({
    id: r.value.task_id as string,
    program: `${r.value.prompt as string}${r.value.canonical_solution as string}`,
    entryPoint: r.value.entry_point as string,
    // inputs are read by Python from the raw line: a JS round trip would turn 1.0 into 1
    raw: r.raw,
    atol: r.value.atol,
  }));
  const results = await runPlusTests(tasks, { dataset: 'humaneval', ...o });
  return records.map((r, i) => {
    const v = r.value as Record<string, string>;
    return plusProblem(r, results[i], {
      id: v.task_id,
      prompt: v.prompt,
      entryPoint: v.entry_point,
      canonicalSolution: v.canonical_solution,
      meta: { dataset: 'humaneval', variant: 'plus', line: r.where.line, atol: r.value.atol, contract: r.value.contract },
    });
  });
}
