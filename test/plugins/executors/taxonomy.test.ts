// Taxonomy and per-test pass rates, on real Python (sandbox off here; hostile.test.ts runs the sandbox).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createTestContext, instantiate } from '../../../core/testing/index.js';
import type { Execution } from '../../../core/kernel/contract/data.js';
import python, { type PythonExecutor } from '../../../plugins/executors/python/index.js';
import { toExecution } from '../../../plugins/executors/python/classify.js';
import { ServerDied } from '../../../plugins/executors/python/fork-server.js';
import { candidates, descendantsOf, problem } from './helpers.js';

let executor: PythonExecutor;
const run = async (codes: string[], tests: string[], extra = {}): Promise<Execution[]> => executor.execute(problem(tests, extra), candidates(codes));
const F = ['assert f(1) == 2', 'assert f(2) == 3', 'assert f(3) == 4'];

test.before(async () => {
  executor = await instantiate<PythonExecutor>(python as never, { sandbox: 'off', workers: 2, timeoutSeconds: 2, testTimeoutSeconds: 0.5 });
});
test.after(async () => executor.close?.());

test('the five statuses, each with its exception type', async () => {
  const [ok, syntax, wrong, runtime, timeout] = await run([
    'def f(x):\n    return x + 1',
    'def f(x)\n    return x + 1',
    'def f(x):\n    return x',
    'def f(x):\n    return x / 0',
    'def f(x):\n    while True:\n        pass',
  ], F);
  assert.is(ok.status, 'SUCCESS');
  assert.equal([ok.passed, ok.total, ok.passRate], [3, 3, 1]);
  assert.is(ok.error, undefined);
  assert.is(syntax.status, 'SYNTAX_ERROR');
  assert.is(syntax.error, 'SyntaxError');
  assert.is(syntax.passed, 0);
  assert.is(wrong.status, 'WRONG_OUTPUT');
  assert.equal(wrong.tests.map((t) => t.outcome), ['fail', 'fail', 'fail']);
  assert.is(runtime.status, 'RUNTIME_ERROR');
  assert.is(runtime.error, 'ZeroDivisionError');
  assert.match(runtime.stderr ?? '', 'ZeroDivisionError: division by zero');
  assert.match(runtime.stderr ?? '', 'File "<candidate>", line 2, in f\n    return x / 0', 'the traceback quotes the candidate\'s line');
  assert.is(timeout.status, 'TIMEOUT');
  assert.ok(timeout.tests.every((t) => t.outcome === 'timeout'));
});

test('identical candidates run once; each copy gets the execution under its own id (dedupe: false runs them all)', async () => {
  const ok = 'def f(x):\n    return x + 1';
  const wrong = 'def f(x):\n    return x';
  const before = executor.counts();
  const out = await run([ok, wrong, ok, ok, wrong], F);
  const after = executor.counts();
  assert.equal([after.candidates - before.candidates, after.programs - before.programs], [5, 2]);
  assert.equal(out.map((e) => e.candidateId), ['c0', 'c1', 'c2', 'c3', 'c4']);
  assert.equal(out.map((e) => e.status), ['SUCCESS', 'WRONG_OUTPUT', 'SUCCESS', 'SUCCESS', 'WRONG_OUTPUT']);
  out[2].tests[0].outcome = 'error'; // copies are independent records
  assert.is(out[0].tests[0].outcome, 'pass');
  const all = await instantiate<PythonExecutor>(python as never, { sandbox: 'off', workers: 1, dedupe: false });
  try {
    await all.execute(problem(F), candidates([ok, ok, ok]));
    assert.equal(all.counts(), { candidates: 3, programs: 3 });
  } finally {
    await all.close?.();
  }
});

test('problems are sent once per server and evicted least-recently-used; evicted ones are sent again', async () => {
  const one = await instantiate<PythonExecutor>(python as never, { sandbox: 'off', workers: 1 });
  try {
    // Seven problems through one server that keeps four: p0 is evicted, then needed again, interleaved with others.
    const order = [0, 1, 2, 3, 0, 4, 5, 6, 0, 1, 6];
    for (const k of order) {
      const tests = [`assert f(${k}) == ${k + 1}`, `assert f(${k + 10}) == ${k + 11}`];
      const [e] = await one.execute(problem(tests, { id: `p${k}` }), candidates(['def f(x):\n    return x + 1']));
      assert.is(e.status, 'SUCCESS', `problem p${k}`);
      assert.is(e.passed, 2);
    }
  } finally {
    await one.close?.();
  }
});

test('a large candidate (compiled in its child, not in the server) is classified the same way', async () => {
  const padding = Array.from({ length: 9000 }, (_, i) => `v${i} = ${i}`).join('\n'); // > 64 KiB of source
  const [ok, syntax] = await run([`${padding}\ndef f(x):\n    return x + 1`, `${padding}\ndef f(x)\n    return x + 1`], F);
  assert.ok(padding.length > 1 << 16);
  assert.is(ok.status, 'SUCCESS');
  assert.is(syntax.status, 'SYNTAX_ERROR');
  assert.is(syntax.error, 'SyntaxError');
});

test('each test counts on its own: a failing, crashing or hanging test does not stop the others', async () => {
  const code = 'def f(x):\n    if x == 2:\n        return 0\n    if x == 3:\n        raise KeyError(x)\n    if x == 4:\n        while True:\n            pass\n    return x + 1';
  const [e] = await run([code], ['assert f(1) == 2', 'assert f(2) == 3', 'assert f(3) == 4', 'assert f(4) == 5', 'assert f(5) == 6']);
  assert.equal(e.tests.map((t) => t.outcome), ['pass', 'fail', 'error', 'timeout', 'pass']);
  assert.is(e.tests[2].error, 'KeyError');
  assert.equal([e.passed, e.total, e.passRate], [2, 5, 0.4]);
  assert.is(e.status, 'RUNTIME_ERROR', 'an exception explains more than the timeout');
  const [t] = await run(['def f(x):\n    while x == 2:\n        pass\n    return x + 1'], F);
  assert.equal(t.tests.map((x) => x.outcome), ['pass', 'timeout', 'pass']);
  assert.is(t.status, 'TIMEOUT');
});

test('definition-time failures: assert is WRONG_OUTPUT, other exceptions RUNTIME_ERROR, sys.exit and os._exit recorded', async () => {
  const [assertion, raised, sysExit, osExit] = await run([
    'assert 1 == 2\ndef f(x): return x + 1',
    'import nonexistent_module_xyz\ndef f(x): return x + 1',
    'import sys\nsys.exit(3)',
    'import os\nos._exit(4)',
  ], F);
  assert.is(assertion.status, 'WRONG_OUTPUT');
  assert.is(raised.status, 'RUNTIME_ERROR');
  assert.is(raised.error, 'ModuleNotFoundError');
  assert.is(sysExit.error, 'SystemExit');
  assert.is(osExit.status, 'RUNTIME_ERROR');
  assert.is(osExit.error, 'exit(4)');
});

test('test setup runs once before the tests, in the candidate namespace; a broken setup is a RUNTIME_ERROR', async () => {
  const [good] = await run(['def f(x): return x + 1'], ['assert candidate(1) == 2', 'assert helper() == 7'], { testSetup: 'candidate = f\ndef helper():\n    return 7' });
  assert.is(good.status, 'SUCCESS');
  const [broken] = await run(['def f(x): return x + 1'], F, { testSetup: 'raise RuntimeError("setup")' });
  assert.is(broken.status, 'RUNTIME_ERROR');
  assert.is(broken.error, 'RuntimeError');
});

test('candidates do not see __main__ blocks run, and the result is deterministic apart from durations', async () => {
  const code = 'def f(x): return x + 1\nif __name__ == "__main__":\n    raise SystemExit(9)';
  const a = await run([code, code], F);
  const strip = (e: Execution) => ({ ...e, candidateId: '', durationMs: 0, tests: e.tests.map((t) => ({ ...t, durationMs: 0 })) });
  assert.is(a[0].status, 'SUCCESS');
  assert.equal(strip(a[0]), strip(a[1]));
});

test('a test that does not compile errors on its own; a setup that does not compile fails every test', async () => {
  const [e] = await run(['def f(x): return x + 1'], ['assert f(1) == 2', 'assert f(1) ==', 'assert f(2) == 3']);
  assert.equal(e.tests.map((t) => t.outcome), ['pass', 'error', 'pass']);
  assert.is(e.tests[1].error, 'SyntaxError');
  const [s] = await run(['def f(x): return x + 1'], F, { testSetup: 'candidate = (' });
  assert.equal([s.status, s.error, s.passed], ['RUNTIME_ERROR', 'SyntaxError', 0]);
});

test('per-test limits follow the canonical solution: a legitimately slow test is not a TIMEOUT, a loop still is', async () => {
  const slow = 'def f(n):\n    total = 0\n    for i in range(n):\n        total += i % 7\n    return total';
  // f(8_000_000) takes ~0.25 s of CPU: far over the 0.05 s floor, so a checker slowed by load still sees it run out.
  const tests = ['assert f(10) == 24', 'assert f(8_000_000) == 23_999_997'];
  const p = problem(tests, { canonicalSolution: slow });
  const strict = await instantiate<PythonExecutor>(python as never, { sandbox: 'off', workers: 1, testTimeoutSeconds: 0.05, confirmTimeoutSeconds: 0.05, canonicalTimeFactor: 0 });
  const calibrating = await instantiate<PythonExecutor>(python as never, { sandbox: 'off', workers: 1, testTimeoutSeconds: 0.05, confirmTimeoutSeconds: 0.05, canonicalTimeFactor: 4 });
  try {
    const [fixed] = await strict.execute(p, candidates([slow]));
    assert.equal(fixed.tests.map((t) => t.outcome), ['pass', 'timeout'], 'the floor alone is too short for this test');
    const [ok, loop] = await calibrating.execute(p, candidates([slow, 'def f(n):\n    while True:\n        pass']));
    assert.is(ok.status, 'SUCCESS');
    assert.is(loop.status, 'TIMEOUT');
  } finally {
    await strict.close?.();
    await calibrating.close?.();
  }
});

test('without the sandbox too, a child that setsid()s away and sleeps is killed when its candidate ends', async () => {
  const code = 'import os, time\ndef f(x):\n    if os.fork() == 0:\n        os.setsid()\n        if os.fork() == 0:\n            time.sleep(60)\n        os._exit(0)\n    return x + 1';
  await run(['def f(x):\n    return x + 1', 'def f(x):\n    return 1 + x'], ['assert f(1) == 2']); // both servers started
  // What a fork-server keeps between candidates (its zygote, which starts candidate processes)
  const idle = new Map(executor.serverPids().map((pid) => [pid, descendantsOf(pid)]));
  const [e] = await run([code], ['assert f(1) == 2']);
  assert.is(e.status, 'SUCCESS');
  for (const pid of executor.serverPids()) assert.equal(descendantsOf(pid), idle.get(pid), 'no orphan left under the fork-server');
});

test('a problem without tests: SUCCESS with passRate 1 when it defines cleanly', async () => {
  const [e] = await run(['x = 1'], []);
  assert.equal([e.status, e.passed, e.total, e.passRate], ['SUCCESS', 0, 0, 1]);
});

test('classification of a dead fork-server: the in-flight candidate is reported, not lost', () => {
  const e = toExecution(problem(F), candidates(['x'])[0], new ServerDied('killed by SIGKILL'), 0, 12);
  assert.is(e.status, 'RUNTIME_ERROR');
  assert.match(e.error ?? '', 'fork-server died');
  assert.is(e.total, 3);
  assert.ok(e.tests.every((t) => t.outcome === 'error'));
});

test('config is validated like the kernel does: unknown keys and bad values are refused', async () => {
  const codeOf = async (config: unknown) => instantiate(python as never, config).then(() => 'created', (e: any) => `${e.code}: ${e.format?.() ?? e.message}`);
  assert.match(await codeOf({ timeout: 3 }), 'CRUCIBLE_E_PLUGIN_CONFIG');
  assert.match(await codeOf({ sandbox: 'maybe' }), 'sandbox');
  assert.match(await codeOf({ python: '/nonexistent/python3' }), 'CRUCIBLE_E_EXECUTOR');
});

test('executions keep candidate order across workers', async () => {
  const codes = Array.from({ length: 12 }, (_, i) => `def f(x):\n    return x + ${i % 2 ? 0 : 1}`);
  const out = await run(codes, F);
  assert.equal(out.map((e) => e.candidateId), codes.map((_, i) => `c${i}`));
  assert.equal(out.map((e) => e.status), codes.map((_, i) => (i % 2 ? 'WRONG_OUTPUT' : 'SUCCESS')));
});

test.run();
