// The javascript executor's taxonomy and per-assertion counts, its checker/candidate process pairs, and that a
// dead candidate process or checker is replaced with its candidate reported, never lost.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createTestContext, instantiate } from '../../../core/testing/index.js';
import javascript, { type JavaScriptExecutor } from '../../../plugins/executors/javascript/index.js';
import { findBwrap } from '../../../plugins/executors/sandbox/isolation.js';
import { alive, descendantsOf, sleep } from './helpers.js';
import { jsCandidates, jsProblem, jsRunAll } from './js-helpers.js';

let executor: JavaScriptExecutor;
const TESTS = ['console.assert(f(1) === 2)', 'console.assert(f(2) === 3)', 'console.assert(JSON.stringify(f(-1)) === "0")'];

test.before(async () => {
  executor = await instantiate<JavaScriptExecutor>(javascript as never, { workers: 2, testTimeoutSeconds: 0.5, timeoutSeconds: 3, memoryMb: 128 }, createTestContext());
});
test.after(async () => {
  await executor.close?.();
});

test('each status of the taxonomy, with exact per-assertion counts and the thrown constructor name', async () => {
  const run = await jsRunAll(executor, TESTS, [
    'const f = (x) => x + 1',
    'const f = (x) => x > 0 ? x + 1 : 7',
    'const f = (x) => {',
    'const f = (x) => { if (x < 0) throw new RangeError("negative"); return x + 1 }',
    'const f = (x) => { if (x === 2) for (;;) {} return x + 1 }',
    'const g = (x) => x',
    'throw new TypeError("at load")',
  ]);
  assert.equal(run.map((e) => e.status), ['SUCCESS', 'WRONG_OUTPUT', 'SYNTAX_ERROR', 'RUNTIME_ERROR', 'TIMEOUT', 'RUNTIME_ERROR', 'RUNTIME_ERROR']);
  assert.equal(run.map((e) => `${e.passed}/${e.total}`), ['3/3', '2/3', '0/3', '2/3', '2/3', '0/3', '0/3']);
  assert.equal(run[1].tests.map((t) => t.outcome), ['pass', 'pass', 'fail']);
  assert.is(run[1].error, 'AssertionError');
  assert.is(run[3].error, 'RangeError');
  assert.equal(run[3].tests.map((t) => t.outcome), ['pass', 'pass', 'error']);
  assert.equal(run[4].tests.map((t) => t.outcome), ['pass', 'timeout', 'pass'], 'a test after a timeout runs in a fresh context');
  assert.match(run[2].error ?? '', /^SyntaxError/);
  assert.is(run[6].error, 'TypeError');
  assert.is(run[0].passRate, 1);
});

test('the pass rate counts every assertion on its own: a failing one does not stop the others', async () => {
  const tests = Array.from({ length: 10 }, (_, i) => `console.assert(f(${i}) === ${i * 2})`);
  const [e] = await jsRunAll(executor, tests, ['const f = (x) => x % 3 === 0 ? x * 2 : -1']);
  assert.is(e.passed, 4); // 0, 3, 6, 9
  assert.is(e.passRate, 0.4);
});

test('values cross as plain data both ways: arrays, objects, undefined, NaN, -0, bigint, Map, Set, Date', async () => {
  const tests = [
    'console.assert(JSON.stringify(f([3, 1, 2])) === "[1,2,3]")',
    'console.assert(f({ a: [1, { b: 2 }] }).a[1].b === 2)',
    'console.assert(f(undefined) === undefined)',
    'console.assert(Number.isNaN(f(NaN)) && Object.is(f(-0), -0))',
    'console.assert(f(10n) === 10n)',
    'console.assert(f(new Map([[1, "x"]])).get(1) === "x" && f(new Set([4])).has(4))',
    'console.assert(f(new Date(5)).getTime() === 5)',
    'console.assert(f([1, 2]) instanceof Array)',
  ];
  const [e] = await jsRunAll(executor, tests, ['const f = (x) => Array.isArray(x) ? [...x].sort() : x']);
  assert.equal(e.tests.map((t) => t.outcome), tests.map(() => 'pass'));
});

test('prompt helpers run in the checker as test setup; the candidate program may define its own', async () => {
  const problem = jsProblem(['console.assert(Math.abs(poly([2, -1], f([2, -1]))) < 1e-9)'], { testSetup: 'const poly = (xs, x) => xs.reduce((s, c, i) => s + c * x ** i, 0)' });
  const [right, lying] = await executor.execute(problem, jsCandidates([
    'const poly = (xs, x) => 0; const f = (xs) => 2',
    'const poly = (xs, x) => 0; const f = (xs) => 5',
  ]));
  assert.equal([right.status, lying.status], ['SUCCESS', 'WRONG_OUTPUT'], 'the candidate\'s own poly never decides the test');
});

test('identical candidates run once and each copy gets the execution under its own id', async () => {
  const before = executor.counts().programs;
  const run = await jsRunAll(executor, TESTS, ['const f = (x) => x + 1', 'const f = (x) => x + 1', 'const f = (x) => x + 2']);
  assert.is(executor.counts().programs - before, 2);
  assert.equal(run.map((e) => e.candidateId), ['c0', 'c1', 'c2']);
});

test('a candidate process that dies is replaced; its candidate is reported as RUNTIME_ERROR with the limit', async () => {
  // A bounded memory bomb: 64 arrays of 4M numbers (2 GiB) against a 128 MiB process.
  const bomb = 'const f = (x) => { const a = []; for (let i = 0; i < 64; i++) a.push(new Array(1 << 22).fill(i + 0.5)); return a.length }';
  const [dead, after] = await jsRunAll(executor, TESTS, [bomb, 'const f = (x) => x + 1']);
  assert.is(dead.status, 'RUNTIME_ERROR');
  assert.is(dead.error, 'memory');
  assert.is(after.status, 'SUCCESS');
});

test('a checker killed with a candidate in flight: that candidate is RUNTIME_ERROR, the next one runs on a new checker', async () => {
  const pids = executor.checkerPids();
  assert.is(pids.length, 2);
  const slow = 'const f = (x) => { const end = Date.now() + 400; while (Date.now() < end) {} return x + 1 }';
  const running = executor.execute(jsProblem(['console.assert(f(1) === 2)'], { id: 'slow' }), jsCandidates([slow, slow]));
  await sleep(150);
  for (const pid of pids) process.kill(-pid, 'SIGKILL');
  const run = await running;
  assert.ok(run.every((e) => e.status === 'RUNTIME_ERROR' && /checker died/.test(e.error ?? '')), JSON.stringify(run.map((e) => e.error)));
  const [next] = await jsRunAll(executor, TESTS, ['const f = (x) => x + 1']);
  assert.is(next.status, 'SUCCESS');
  assert.ok(pids.every((pid) => !alive(pid) && descendantsOf(pid).length === 0));
});

test('a test whose limit is what is left of the program\'s budget (a fraction of a millisecond over) still runs', async () => {
  // The program's CPU budget less what defining it took is fractional; vm timeouts take whole milliseconds only.
  const even = await instantiate<JavaScriptExecutor>(javascript as never, { workers: 1, timeoutSeconds: 2, testTimeoutSeconds: 2, memoryMb: 128 }, createTestContext());
  try {
    const [e] = await jsRunAll(even, TESTS, ['const f = (x) => x + 1']);
    assert.is(e.status, 'SUCCESS', JSON.stringify(e));
  } finally {
    await even.close?.();
  }
});

test('sandbox "required" refuses to start without bubblewrap, naming the config path', async () => {
  if (!findBwrap()) {
    try {
      await instantiate(javascript as never, { sandbox: 'required' }, createTestContext());
      assert.unreachable('should have thrown');
    } catch (error) {
      assert.match(String(error), /CRUCIBLE_E_SANDBOX/);
    }
    return;
  }
  assert.is(executor.describe().sandbox, 'bwrap');
});

test.run();
