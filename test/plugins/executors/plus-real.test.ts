// The HumanEval+ problems that broke text-based tests, with all their plus inputs: /83 and /139 (integers of up to a
// million digits, past Python's 4,300-digit str limit) and /130 (answers of a million floats). Loaded by the real
// loader (expected values stored as values, cached by content hash), run by the real executor.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import humaneval from '../../../plugins/datasets/humaneval.js';
import python, { type PythonExecutor } from '../../../plugins/executors/python/index.js';
import { createTestContext, instantiate } from '../../../core/testing/index.js';
import { readText } from '../../../core/util/jsonl.js';
import type { Dataset } from '../../../core/kernel/contract/kinds.js';
import type { Problem } from '../../../core/kernel/contract/data.js';
import { candidates } from './helpers.js';
import { DATA } from '../datasets/pyrun.js';

const tmp = mkdtempSync(join(tmpdir(), 'crucible-plus-real-'));
const IDS = ['HumanEval/83', 'HumanEval/130', 'HumanEval/139'];
let problems: Problem[];
let executor: PythonExecutor;

test.before(async () => {
  const lines = readText(join(DATA, 'HumanEvalPlus-v0.1.10.jsonl.gz')).split('\n').filter((l) => IDS.some((id) => l.includes(`"${id}"`)));
  writeFileSync(join(tmp, 'big.jsonl'), lines.join('\n') + '\n');
  // the default cache: computing /130's and /139's expected outputs takes seconds, so reruns reuse them
  const ds = await instantiate<Dataset>(humaneval as never, { path: join(tmp, 'big.jsonl'), variant: 'plus', plusInputs: true }, createTestContext());
  problems = await ds.load();
  executor = await instantiate<PythonExecutor>(python as never, { workers: 2, checkMode: 'graded' }, createTestContext());
});
test.after(async () => {
  await executor.close?.();
  rmSync(tmp, { recursive: true, force: true });
});

test('83, 130 and 139 load with every plus input (nothing skipped)', () => {
  assert.equal(problems.map((p) => p.id), IDS);
  for (const p of problems) {
    assert.equal(p.meta.skippedInputs, [], p.id);
    assert.ok(p.tests.filter((t) => t.id.startsWith('p')).length > 100, p.id);
  }
});

test('the canonical solutions are SUCCESS on every input, big integers and million-float answers included', async () => {
  const es = await Promise.all(problems.map((p) => executor.execute(p, candidates([p.prompt + p.canonicalSolution!]))));
  for (const [e] of es) {
    assert.is(e.status, 'SUCCESS', `${e.problemId}: ${JSON.stringify(e.tests.filter((t) => t.outcome !== 'pass').slice(0, 3))}`);
    assert.is(e.passed, e.total);
  }
});

test('a wrong answer on big integers only is WRONG_OUTPUT, on exactly those inputs', async () => {
  const p83 = problems[0];
  const code = `${p83.prompt}    if n == 1: return 1\n    v = 18 * (10 ** (n - 2))\n    return v + 1 if n > 5000 else v\n`;
  const [e] = await executor.execute(p83, candidates([code]));
  assert.is(e.status, 'WRONG_OUTPUT');
  assert.ok(e.passed > 0 && e.passed < e.total, `${e.passed}/${e.total}`);
  const p139 = problems[2];
  const wrong = `${p139.prompt}    import math\n    r = 1\n    for i in range(1, n + 1):\n        r *= math.factorial(i)\n    return r + (n > 200)\n`;
  const [f] = await executor.execute(p139, candidates([wrong]));
  assert.is(f.status, 'WRONG_OUTPUT');
});

test('HumanEval/130: one wrong element in a million is found', async () => {
  const p = problems[1];
  const code = `${p.prompt}${p.canonicalSolution!.replace(/return ans\n/, 'return ans[:-1] + [0] if n > 1000 else ans\n')}`;
  assert.ok(code.includes('ans[:-1]'), 'the canonical solution ends with return ans');
  const [e] = await executor.execute(p, candidates([code]));
  assert.is(e.status, 'WRONG_OUTPUT');
});

test.run();
