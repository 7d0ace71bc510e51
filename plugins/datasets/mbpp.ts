// The `mbpp` dataset: MBPP full (mbpp.jsonl, 974), MBPP sanitized (sanitized-mbpp.json, one JSON array, 427)
// and MBPP+ (evalplus MbppPlus.jsonl.gz, 378).
//
// Ids: "mbpp/<task_id>" for full and sanitized (the same task has the same id in both), the file's own
// "Mbpp/<n>" for MBPP+.
// Prompt (HumanEval style, built by python/mbpp_prompts.py from the reference code):
//   <top-level definitions of the reference code that the tests or test setup use, e.g. a class>
//   def <entry point>(<signature of the reference function>):
//       """
//       <problem text>
//
//       Your code should pass this test:
//       <first test assertion>
//       """
// canonicalSolution is the reference function's body followed by the rest of the reference code (helpers,
// imports, constants), so prompt + canonicalSolution is a complete program, as with HumanEval.
// Tests: MBPP's test_list, one assert per test (test_setup_code or test_imports in testSetup); MBPP+: one
// test per base input against the canonical solution's output, as in the humaneval plugin.
import { definePlugin } from 'crucible-ml';
import type { Problem } from 'crucible-ml';
import {
  checkFields,
  checkUniqueIds,
  datasetError,
  fileSha256,
  looksLikeJsonArray,
  readJsonArrayRecords,
  readJsonlRecords,
  type RawRecord,
} from './python/fields.js';
import { runTool } from './python/run.js';
import { cacheDirOption, datasetPaths, MAX_PLUS_INPUTS_OPTION, nonEmpty, pathOption } from './source.js';
import { plusProblem, runPlusTests } from './python/plus.js';

type Variant = 'full' | 'sanitized' | 'plus';
interface PromptResult { id: string; entryPoint?: string; prompt?: string; canonical?: string; error?: string }

const FIELDS = {
  full: { text: 'string', code: 'string', task_id: 'integer', test_list: 'string[]' },
  sanitized: { prompt: 'string', code: 'string', task_id: 'integer', test_list: 'string[]' },
  plus: { task_id: 'string', prompt: 'string', entry_point: 'string', canonical_solution: 'string', base_input: 'array', atol: 'number' },
} as const;
const OPTIONAL = {
  full: { test_setup_code: 'string', challenge_test_list: 'string[]' },
  sanitized: { test_imports: 'string[]', source_file: 'string' },
  plus: { assertion: 'string', contract: 'string' }, // plus_input is [] or {} when empty
} as const;

const lf = (s: string) => s.replace(/\r\n?/g, '\n');

function detect(file: string, first: RawRecord | undefined): Variant {
  if (looksLikeJsonArray(file)) return 'sanitized';
  const v = first?.value ?? {};
  if ('base_input' in v) return 'plus';
  if ('test_imports' in v) return 'sanitized';
  return 'full';
}

/** MBPP+ prompts are a docstring holding the problem text and one assert: split them apart. */
export function splitPlusPrompt(prompt: string): { text: string; example: string } {
  const body = prompt.trim().replace(/^("""|''')/, '').replace(/("""|''')$/, '');
  const lines = body.split('\n');
  const example = lines.filter((l) => l.trim().startsWith('assert')).join('\n');
  const text = lines.filter((l) => !l.trim().startsWith('assert')).join('\n').trim();
  return { text, example };
}

export default definePlugin({
  kind: 'dataset',
  name: 'mbpp',
  version: '1.0.0',
  apiVersion: '^1',
  description:
    'MBPP full (jsonl), sanitized (JSON array) and MBPP+ (evalplus jsonl.gz), with HumanEval-style prompts (signature + docstring with the first test) and one test per assertion or per input.',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['path'],
    properties: {
      path: pathOption('mbpp.jsonl, sanitized-mbpp.json or MbppPlus.jsonl.gz, relative to the manifest\'s folder.'),
      variant: {
        type: 'string',
        enum: ['auto', 'full', 'sanitized', 'plus'],
        default: 'auto',
        description: 'auto: a JSON array is sanitized, records with base_input are MBPP+, others full MBPP.',
      },
      challengeTests: { type: 'boolean', default: false, description: 'Full MBPP only: add challenge_test_list as further tests.' },
      plusInputs: { type: 'boolean', default: false, description: 'MBPP+ only: also make a test of every plus_input.' },
      maxPlusInputs: MAX_PLUS_INPUTS_OPTION,
      cacheDir: cacheDirOption('Cache of prompts and expected outputs ("" = ~/.cache/crucible/datasets, a per-user 0700 folder, "none" = no cache).'),
    },
  } as const,
  create(config, ctx) {
    const { file, cacheDir } = datasetPaths(config, ctx.baseDir);
    return {
      async load(): Promise<Problem[]> {
        const array = looksLikeJsonArray(file);
        const records = nonEmpty(array ? readJsonArrayRecords(file) : readJsonlRecords(file), file);
        const variant: Variant = config.variant === 'auto' ? detect(file, records[0]) : config.variant;
        for (const r of records) checkFields(r, FIELDS[variant], OPTIONAL[variant]);
        const idOf = (r: RawRecord) => (variant === 'plus' ? String(r.value.task_id) : `mbpp/${r.value.task_id as number}`);
        checkUniqueIds(records.map((r) => ({ id: idOf(r), where: r.where })));
        for (const r of records) {
          if (variant !== 'plus' && (r.value.test_list as string[]).length === 0) throw datasetError(r.where, `${idOf(r)}: test_list is empty`);
        }
        const fileHash = await fileSha256(file);
        ctx.throwIfCancelled();
        const common = { file, fileHash, cacheDir };

        const promptTasks = records.map((r) => {
          if (variant === 'plus') {
            const { text, example } = splitPlusPrompt(r.value.prompt as string);
            const assertion = typeof r.value.assertion === 'string' ? [r.value.assertion] : [];
            return { id: idOf(r), code: r.value.canonical_solution, entryPoint: r.value.entry_point, tests: assertion, setup: '', text, example };
          }
          const tests = (r.value.test_list as string[]).map(lf);
          return { id: idOf(r), code: r.value.code, tests, setup: setupOf(r, variant), text: variant === 'full' ? r.value.text : r.value.prompt, example: tests[0] };
        });
        const prompts = await runTool<PromptResult>({ command: 'mbpp-prompts', tasks: promptTasks, ...common });
        const promptOf = (r: RawRecord, i: number): Required<Omit<PromptResult, 'error'>> => {
          const res = prompts[i];
          if (!res || res.id !== idOf(r)) throw datasetError(r.where, `internal: the prompt builder answered out of order at ${idOf(r)}`);
          if (res.error) throw datasetError(r.where, `${idOf(r)}: cannot build a prompt from the reference code: ${res.error}`);
          return res as Required<Omit<PromptResult, 'error'>>;
        };

        let problems: Problem[];
        if (variant === 'plus') {
          const tasks = records.map((r) => ({
            id: idOf(r),
            program: r.value.canonical_solution as string,
            entryPoint: r.value.entry_point as string,
            raw: r.raw, // Python reads base_input/plus_input from the line itself (JSON.parse turns 1.0 into 1)
            atol: r.value.atol,
            assertion: r.value.assertion,
          }));
          const plus = await runPlusTests(tasks, { dataset: 'mbpp', ...common, plusInputs: config.plusInputs, maxPlusInputs: config.maxPlusInputs });
          problems = records.map((r, i) => {
            const p = promptOf(r, i);
            return plusProblem(r, plus[i], {
              id: idOf(r),
              prompt: p.prompt,
              entryPoint: p.entryPoint,
              canonicalSolution: p.canonical,
              meta: { dataset: 'mbpp', variant, line: r.where.line, atol: r.value.atol, originalPrompt: r.value.prompt, referenceCode: r.value.canonical_solution },
            });
          });
        } else {
          problems = records.map((r, i) => {
            const p = promptOf(r, i);
            const tests = (r.value.test_list as string[]).map(lf);
            if (variant === 'full' && config.challengeTests) tests.push(...((r.value.challenge_test_list as string[] | undefined) ?? []).map(lf));
            const setup = setupOf(r, variant);
            return {
              id: idOf(r),
              prompt: p.prompt,
              entryPoint: p.entryPoint,
              tests: tests.map((code, k) => ({ id: `t${k}`, code: code.trim() })),
              ...(setup ? { testSetup: setup } : {}),
              canonicalSolution: p.canonical,
              language: 'python',
              meta: {
                dataset: 'mbpp',
                variant,
                taskId: r.value.task_id,
                ...(r.where.line !== undefined ? { line: r.where.line } : { index: Number(r.where.path!.slice(1, -1)) }),
                text: variant === 'full' ? r.value.text : r.value.prompt,
                referenceCode: lf(r.value.code as string),
              },
            } satisfies Problem;
          });
        }
        ctx.logger.info({ file, variant, problems: problems.length, tests: problems.reduce((n, p) => n + p.tests.length, 0) }, 'mbpp loaded');
        return problems;
      },
    };
  },
});

function setupOf(r: RawRecord, variant: Variant): string {
  const code = variant === 'full' ? lf((r.value.test_setup_code as string | undefined) ?? '') : ((r.value.test_imports as string[] | undefined) ?? []).join('\n');
  return code.trim() ? `${code.trim()}\n` : '';
}
