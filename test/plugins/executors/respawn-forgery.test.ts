// After a candidate's process dies in one test, the next test needs a new one. By then the checker holds more than
// at the start: the tests' namespace (functions the tests defined, with their expected values among the constants)
// and, inside a test, that test's own frame. A candidate that crashes on purpose and then looks for the answers
// there (as a process copied from the checker would find them) must not pass.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import python, { type PythonExecutor } from '../../../plugins/executors/python/index.js';
import { createTestContext, instantiate } from '../../../core/testing/index.js';
import type { Execution } from '../../../core/kernel/contract/data.js';
import { candidates, problem } from './helpers.js';

const CANONICAL = 'def f(x):\n    return x * 7 + 3\n';
// Test 0 defines a helper holding expected values; the candidate crashes on its first call (in test 1).
const tests = [
  'def expect(x):\n    return {2: 17, 5: 38}[x]\n',
  'assert candidate(0) == 3',
  'assert candidate(2) == 17',
  'assert candidate(5) == 38',
];

const CRASH_THEN_LOOK = `def f(x):
    import gc, os, sys
    if x == 0:
        os._exit(1)
    fr = sys._getframe(1)
    while fr is not None:
        c = list(fr.f_code.co_consts)
        if x in c and c.index(x) + 1 < len(c) and type(c[c.index(x) + 1]) is int:
            return c[c.index(x) + 1]
        g = fr.f_globals.get('expect')
        if callable(g):
            return g(x)
        fr = fr.f_back
    for o in gc.get_objects():
        if type(o).__name__ == 'function' and o.__name__ == 'expect':
            return o(x)
`;

async function run(code: string): Promise<Execution> {
  const executor = await instantiate<PythonExecutor>(python as never, { workers: 1 }, createTestContext());
  try {
    return (await executor.execute(problem(tests, { testSetup: 'candidate = f\n' }), candidates([code])))[0];
  } finally {
    await executor.close?.();
  }
}

test('an honest candidate that crashes on one input still passes the later tests in a new process', async () => {
  const honest = 'def f(x):\n    import os\n    if x == 0:\n        os._exit(1)\n    return x * 7 + 3\n';
  const e = await run(honest);
  assert.is(e.passed, 3, JSON.stringify(e.tests));
  assert.is((await run(CANONICAL)).status, 'SUCCESS');
});

test('a candidate re-forked after a crash finds neither the running test nor the tests\u2019 namespace', async () => {
  const e = await run(CRASH_THEN_LOOK);
  assert.is(e.passed, 1, JSON.stringify(e.tests)); // only test 0 (the definition), nothing the candidate answered
  assert.is.not(e.status, 'SUCCESS');
});

test.run();
