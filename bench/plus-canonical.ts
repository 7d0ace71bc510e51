// Every canonical solution of HumanEval+ or MBPP+ through the python executor in plus mode (all base and plus inputs,
// graded unless told otherwise): each must be SUCCESS with passed == total. Prints the problems whose inputs the
// loader skipped (with the reason) and every failure. A check, not a timing: the figures in the README's HumanEval+
// section come from it.
//
//   node --import tsx bench/plus-canonical.ts humaneval|mbpp [--mode graded|fast-check] [--data DIR] [--file NAME]
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Candidate, Problem } from '../core/kernel/contract/data.js';
import { createTestContext, instantiate } from '../core/testing/index.js';
import { packageRoot } from '../core/util/package-root.js';
import humaneval from '../plugins/datasets/humaneval.js';
import mbpp from '../plugins/datasets/mbpp.js';
import python, { type PythonExecutor } from '../plugins/executors/python/index.js';
import { canonicalProgram } from '../plugins/executors/python/calibrate.js';

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    mode: { type: 'string', default: 'graded' },
    data: { type: 'string', default: join(packageRoot(), '..', 'shared', 'data') },
    file: { type: 'string', default: '' },
  },
});
const which = positionals[0] === 'mbpp' ? 'mbpp' : 'humaneval';
const file = opts.file || (which === 'mbpp' ? 'MbppPlus-v0.2.0.jsonl.gz' : 'HumanEvalPlus-v0.1.10.jsonl.gz');
const ctx = createTestContext();
const config = { path: join(opts.data!, file), variant: 'plus', plusInputs: true };
type Loader = { load(): Promise<Problem[]> };
// (each plugin erased on its own: their union is too deep to type-check)
const dataset = which === 'mbpp' ? await instantiate<Loader>(mbpp as never, config, ctx) : await instantiate<Loader>(humaneval as never, config, ctx);
const t0 = performance.now();
const problems = await dataset.load();
const inputs = problems.reduce((n, p) => n + p.tests.length, 0);
console.log(`${file}: ${problems.length} problems, ${inputs} inputs, loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
for (const p of problems) {
  const skipped = p.meta.skippedInputs as Array<{ source: string; index: number; reason: string }>;
  for (const s of skipped) console.log(`  skipped: ${p.id} ${s.source} input ${s.index}: ${s.reason}`);
}
const executor = await instantiate<PythonExecutor>(python as never, { checkMode: opts.mode }, ctx);
try {
  const t1 = performance.now();
  const executions = await Promise.all(problems.map(async (p) => {
    const candidate: Candidate = { id: p.id, problemId: p.id, index: 0, prompt: p.prompt, completion: '', code: canonicalProgram(p)! };
    return (await executor.execute(p, [candidate]))[0];
  }));
  const bad = executions.filter((e) => e.status !== 'SUCCESS' || e.passed !== e.total);
  console.log(`canonical solutions SUCCESS with passed == total (${opts.mode}): ${executions.length - bad.length}/${executions.length} in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
  for (const e of bad) {
    const failed = e.tests.filter((t) => t.outcome !== 'pass').slice(0, 3);
    console.log(`  ${e.problemId} ${e.status} ${e.passed}/${e.total} ${JSON.stringify(failed)}`);
  }
  process.exitCode = bad.length ? 1 : 0;
} finally {
  await executor.close?.();
}
