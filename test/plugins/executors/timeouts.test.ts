// Timeouts are confirmed before they are reported: the cheap per-test floor only flags a test, which then runs again at
// the confirmation limit (max(confirmTimeoutSeconds, 4x the canonical solution), evalplus's rule in CPU seconds).
// Limits are CPU time (busy loops measure their own CPU clock), so a loaded machine does not change the verdicts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createTestContext, instantiate } from '../../../core/testing/index.js';
import python, { type PythonExecutor } from '../../../plugins/executors/python/index.js';
import { candidates, problem } from './helpers.js';

let executor: PythonExecutor;
const CONFIG = { sandbox: 'required', workers: 2, timeoutSeconds: 5, testTimeoutSeconds: 0.25, confirmTimeoutSeconds: 1, dedupe: false };
const BUSY = (seconds: number) => `import time\ndef busy():\n    t = time.process_time()\n    while time.process_time() - t < ${seconds}:\n        pass\n`;

test.before(async () => {
  executor = await instantiate<PythonExecutor>(python as never, CONFIG, createTestContext());
});
test.after(async () => {
  await executor.close?.();
});

test('a legitimate 300 MB allocation and a test needing 0.4 s of CPU are not TIMEOUT', async () => {
  const [alloc, slow] = await executor.execute(problem(['assert f(1) == 2']), candidates([
    'def f(x):\n    b = bytearray(300 * 1024 * 1024)\n    return x + 1 + b[-1]',
    `${BUSY(0.4)}def f(x):\n    busy()\n    return x + 1`,
  ]));
  assert.equal([alloc.status, slow.status], ['SUCCESS', 'SUCCESS'], JSON.stringify([alloc, slow]));
});

test('a loop is TIMEOUT at the confirmation limit; later looping tests record the floor they hit', async () => {
  const [e] = await executor.execute(problem(['assert f(0) == 0', 'assert f(1) == 1', 'assert f(2) == 2', 'assert f(3) == 3']), candidates([
    'def f(x):\n    while x > 0:\n        pass\n    return x',
  ]));
  assert.is(e.status, 'TIMEOUT');
  assert.equal(e.tests.map((t) => [t.outcome, t.limitSeconds]), [['pass', undefined], ['timeout', 1], ['timeout', 0.25], ['timeout', 0.25]]);
});

test('in the in-process mode too (the limit switch survives a fresh process)', async () => {
  const setup = 'if False:\n    candidate_state\n';
  const [slow, loop] = await executor.execute(problem(['assert f(1) == 2', 'assert f(2) == 3'], { testSetup: setup }), candidates([
    `${BUSY(0.4)}def f(x):\n    busy()\n    return x + 1`,
    'def f(x):\n    while True:\n        pass',
  ]));
  assert.equal([slow.status, slow.isolation], ['SUCCESS', 'in-process'], JSON.stringify(slow));
  assert.is(loop.status, 'TIMEOUT');
  assert.equal(loop.tests.map((t) => t.limitSeconds), [1, 0.25]);
});

test.run();
