// HumanEval+/MBPP+ data problems through the real loader and the real executor (checker mode, sandbox auto):
// the reference's comparison rules (int vs float, NaN, atol, nested containers, HumanEval/32's root with the
// checker's own polynomial), reference-style limits (a slow but correct solution is not TIMEOUT; a loop is TIMEOUT
// at the reference limit), and graded vs fast-check.
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
import type { Execution, Problem } from '../../../core/kernel/contract/data.js';
import { candidates } from './helpers.js';
import { DATA } from '../datasets/pyrun.js';

const tmp = mkdtempSync(join(tmpdir(), 'crucible-plus-exec-'));

/** A HumanEval+-shaped record of our own. */
function record(id: string, entry: string, body: string, base: unknown[][], plus: unknown[][] = [], atol = 0) {
  const prompt = `def ${entry}(x):\n    """test problem"""\n`;
  return JSON.stringify({ task_id: id, prompt, entry_point: entry, canonical_solution: body, test: '', contract: '', base_input: base, plus_input: plus, atol });
}

const real = readText(join(DATA, 'HumanEvalPlus-v0.1.10.jsonl.gz')).split('\n').filter(Boolean);
const lines = [
  record('T/int', 'f', '    return x * 2\n', [[1], [2], [3]]),
  record('T/nan', 'f', '    return float("nan") if x == 0 else [1.0, float(x)]\n', [[1], [0]]),
  record('T/nested', 'f', '    return [[x / 3, 2.0]]\n', [[1], [2]]),
  record('T/atol', 'f', '    return [x / 3, x / 7]\n', [[1], [2]], [[5]], 1e-4),
  record('T/float', 'f', '    return x / 3\n', [[1], [2]]),
  record('T/slow', 'f', '    return x + 1\n', [[1], [2]], [[3], [4]]),
  real.find((l) => l.includes('"HumanEval/32"'))!,
];
const file = join(tmp, 'plus.jsonl');
writeFileSync(file, lines.join('\n') + '\n');
let problems: Problem[];
const byId = (id: string) => problems.find((p) => p.id === id)!;

async function run(id: string, codes: string[], config: Record<string, unknown> = {}): Promise<Execution[]> {
  const executor = await instantiate<PythonExecutor>(python as never, { workers: 1, dedupe: false, ...config }, createTestContext());
  try {
    const p = byId(id);
    return await executor.execute(p, candidates(codes.map((c) => (c.startsWith('def ') ? c : p.prompt + c))));
  } finally {
    await executor.close?.();
  }
}
const statuses = (es: Execution[]) => es.map((e) => e.status);

test.before(async () => {
  const ds = await instantiate<Dataset>(humaneval as never, { path: file, variant: 'plus', plusInputs: true, maxPlusInputs: 6, cacheDir: join(tmp, 'cache') }, createTestContext());
  problems = await ds.load();
});
test.after(() => rmSync(tmp, { recursive: true, force: true }));

test('int expected: an equal float passes (==), a float off by 1e-9 does not (no tolerance for int outputs)', async () => {
  const es = await run('T/int', ['    return x * 2\n', '    return float(x * 2)\n', '    return x * 2 + 1e-9\n', '    return str(x * 2)\n']);
  assert.equal(statuses(es), ['SUCCESS', 'SUCCESS', 'WRONG_OUTPUT', 'WRONG_OUTPUT']);
  assert.is(es[2].passed, 0);
});

test('NaN never equals NaN (as the reference compares), even for the canonical solution', async () => {
  const es = await run('T/nan', ['    return float("nan") if x == 0 else [1.0, float(x)]\n', '    return 0.0 if x == 0 else [1.0, float(x)]\n']);
  assert.equal(es.map((e) => e.tests.map((t) => t.outcome)), [['pass', 'fail'], ['pass', 'fail']]);
});

test('float outputs: within 1e-6 + 1e-7 x |expected| passes; nested lists compare exactly unless the problem gives atol', async () => {
  const flat = await run('T/float', ['    return x / 3 + 5e-7\n', '    return x / 3 + 5e-6\n', '    return int(x) // 3\n']);
  assert.equal(statuses(flat), ['SUCCESS', 'WRONG_OUTPUT', 'WRONG_OUTPUT']);
  const nested = await run('T/nested', ['    return [[x / 3, 2.0]]\n', '    return [[x / 3 + 1e-9, 2.0]]\n']);
  assert.equal(statuses(nested), ['SUCCESS', 'WRONG_OUTPUT']);
});

test('a problem atol: every element within atol passes, beyond it or with another container type fails', async () => {
  const es = await run('T/atol', ['    return [x / 3 + 5e-5, x / 7 - 5e-5]\n', '    return [x / 3 + 5e-3, x / 7]\n', '    return (x / 3, x / 7)\n', '    return [x / 3]\n']);
  assert.equal(statuses(es), ['SUCCESS', 'WRONG_OUTPUT', 'WRONG_OUTPUT', 'WRONG_OUTPUT']);
  assert.is(es[0].total, 3, 'base and plus inputs');
});

test('HumanEval/32: the root is checked with the reference polynomial, never a poly the candidate redefines', async () => {
  const p = byId('HumanEval/32');
  assert.is(p.meta.oracle, 'poly-root');
  const canonical = p.prompt + p.canonicalSolution!;
  const hacks = [
    `def poly(xs, x):\n    return 0\n\ndef find_zero(xs):\n    return 0.0\n`,
    `import math\n\ndef poly(xs, x):\n    return 0.0\n\ndef find_zero(xs):\n    return 12345.0\n`,
    `def find_zero(xs):\n    xs[:] = [0.0] * len(xs)\n    return 1.0\n`, // mutating the input does not move the reference's check
  ];
  const es = await run('HumanEval/32', [canonical, ...hacks]);
  assert.is(es[0].status, 'SUCCESS', JSON.stringify(es[0].tests.filter((t) => t.outcome !== 'pass').slice(0, 3)));
  for (const e of es.slice(1)) assert.is(e.status, 'WRONG_OUTPUT', JSON.stringify(e));
});

test('limits: slow but correct (over the first limit, under the reference limit) is SUCCESS; a loop is TIMEOUT at the reference limit', async () => {
  const slow = '    import time\n    t = time.process_time()\n    while time.process_time() - t < 0.4:\n        pass\n    return x + 1\n';
  const loop = '    while True:\n        pass\n';
  const config = { testTimeoutSeconds: 0.1, referenceFloorSeconds: 1 };
  const [ok, looping] = await run('T/slow', [slow, loop], config);
  assert.is(ok.status, 'SUCCESS', JSON.stringify(ok.tests));
  assert.is(looping.status, 'TIMEOUT');
  // each input confirmed at the reference limit, until the program's budget (min(60, sum of limits) + 1 s per group)
  assert.ok(looping.tests.every((t) => t.outcome === 'timeout'), JSON.stringify(looping.tests));
  assert.is(looping.tests[0].limitSeconds, 1);
  assert.ok(looping.tests.every((t) => t.limitSeconds === 1 || t.limitSeconds === 6), JSON.stringify(looping.tests)); // 6: the budget
});

test('fast-check: once an input passed over its first limit, the later slow inputs run once, at the reference limit', async () => {
  // each call leaves a line in the working folder (it lasts the whole job, across the replaced processes); the last
  // input's answer is right only if the program was called at most 6 times: inputs 0 and 1 at their first limit, both
  // confirmed before the plus inputs start, then inputs 2 and 3 once each (8 calls when each slow input runs twice)
  const slow = "    import time\n    with open('calls', 'a') as f:\n        f.write('.\\n')\n    t = time.process_time()\n" +
    '    while time.process_time() - t < 0.3:\n        pass\n' +
    "    calls = len(open('calls').read().split())\n    return x + 1 if x < 4 or calls <= 6 else -calls\n";
  const [e] = await run('T/slow', [slow], { checkMode: 'fast-check', testTimeoutSeconds: 0.1, referenceFloorSeconds: 2 });
  assert.is(e.status, 'SUCCESS', JSON.stringify(e.tests));
});

test('graded runs every input (exact passed/total); fast-check stops at the first failure; both recorded', async () => {
  const wrongFirst = '    return 0 if x == 1 else x + 1\n';
  const [graded] = await run('T/slow', [wrongFirst], { checkMode: 'graded' });
  assert.is(graded.status, 'WRONG_OUTPUT');
  assert.is(graded.checkMode, 'graded');
  assert.equal([graded.passed, graded.total], [3, 4]);
  const [fast] = await run('T/slow', [wrongFirst], { checkMode: 'fast-check' });
  assert.is(fast.status, 'WRONG_OUTPUT');
  assert.is(fast.checkMode, 'fast-check');
  assert.equal(fast.tests.map((t) => t.outcome), ['fail', 'skipped', 'skipped', 'skipped']);
});

test('fast-check: an input over its first limit is not reported TIMEOUT when a later input fails outright', async () => {
  const code = '    if x == 1:\n        while True:\n            pass\n    return 0\n';
  const [e] = await run('T/slow', [code], { checkMode: 'fast-check', testTimeoutSeconds: 0.1, referenceFloorSeconds: 30 });
  assert.is(e.status, 'WRONG_OUTPUT');
  assert.is(e.tests[0].outcome, 'skipped');
  assert.is(e.tests[0].error, 'unconfirmed');
  assert.ok(e.durationMs < 20_000, 'the 30 s reference limit was never waited for');
});

test.run();
