// The comparison guard of the in-process fallback: a candidate cannot pass tests by returning objects whose own
// __eq__ / __bool__ / __lt__ ... answer what the test wants (a known reward hack). In checker mode such objects
// never reach a test (forgery.test.ts); here every problem's tests read a global of the candidate, which is what
// sends a problem to the in-process mode. Real Python, sandbox off (hostile.test.ts runs the sandbox).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { instantiate } from '../../../core/testing/index.js';
import type { Execution } from '../../../core/kernel/contract/data.js';
import python, { type PythonExecutor } from '../../../plugins/executors/python/index.js';
import { candidates, problem } from './helpers.js';

let guarded: PythonExecutor;
let unguarded: PythonExecutor;
const CONFIG = { sandbox: 'off', workers: 1, timeoutSeconds: 2, testTimeoutSeconds: 0.5 };
/** Reads (never at run time) a global the candidate would define: the plan then keeps the tests in its process. */
const IN_PROCESS = 'if False:\n    candidate_state\n';
const run = async (executor: PythonExecutor, codes: string[], tests: string[], extra: { testSetup?: string } = {}): Promise<Execution[]> => {
  const executions = await executor.execute(problem(tests, { ...extra, testSetup: IN_PROCESS + (extra.testSetup ?? '') }), candidates(codes));
  for (const e of executions) assert.is(e.isolation, 'in-process');
  return executions;
};
const ALWAYS_EQUAL = 'class E:\n    def __eq__(self, other):\n        return True\n    def __ne__(self, other):\n        return False\n';

test.before(async () => {
  guarded = await instantiate<PythonExecutor>(python as never, CONFIG);
  unguarded = await instantiate<PythonExecutor>(python as never, { ...CONFIG, guardComparisons: false });
});
test.after(async () => {
  await guarded.close?.();
  await unguarded.close?.();
});

test('an always-equal object passes unguarded and fails guarded, named HijackedComparison', async () => {
  const code = `${ALWAYS_EQUAL}def f(x):\n    return E()`;
  const tests = ['assert f(1) == 2', 'assert not f(2) != 3', 'assert [f(3)] == [4]', 'assert {"k": f(4)} == {"k": 5}'];
  const [open] = await run(unguarded, [code], tests);
  assert.is(open.status, 'SUCCESS', 'without the guard the hack works (what the guard is for)');
  const [caught] = await run(guarded, [code], tests);
  assert.is(caught.status, 'WRONG_OUTPUT');
  assert.is(caught.error, 'HijackedComparison');
  assert.equal(caught.tests.map((t) => [t.outcome, t.error]), tests.map(() => ['fail', 'HijackedComparison']));
  assert.match(caught.stderr ?? '', "HijackedComparison: Eq decided by the candidate's E.__eq__", 'stderr says which method decided it');
});

test('truth, ordering, membership and builtin-subclass hijacks are refused too', async () => {
  const [truthy, ordered, member, subclass] = await run(guarded, [
    'class T:\n    def __bool__(self):\n        return True\ndef f(x):\n    return T()',
    'class L:\n    def __lt__(self, o):\n        return True\ndef f(x):\n    return L()',
    'class C:\n    def __contains__(self, o):\n        return True\ndef f(x):\n    return C()',
    'class S(str):\n    def __eq__(self, o):\n        return True\n    __hash__ = str.__hash__\ndef f(x):\n    return S("no")',
  ], ['assert f(1)', 'assert f(1) < 0', 'assert 5 in f(1)', 'assert f(1) == "yes"']);
  for (const e of [truthy, ordered, member, subclass]) assert.equal([e.status, e.error], ['WRONG_OUTPUT', 'HijackedComparison'], JSON.stringify(e.tests));
  assert.equal(truthy.tests.map((t) => t.error), ['HijackedComparison', 'HijackedComparison', 'HijackedComparison', 'HijackedComparison'], 'any comparison of its object with a builtin value is refused');
});

test('honest candidates with their own dunder methods are not flagged', async () => {
  // Dunders used inside the solution: the tests only see builtin values.
  const [helper] = await run(guarded, [
    'class P:\n    def __init__(self, v):\n        self.v = v\n    def __lt__(self, o):\n        return self.v < o.v\n    def __eq__(self, o):\n        return self.v == o.v\ndef f(x):\n    return [p.v for p in sorted([P(3), P(x), P(2)])]\ndef g(a, b):\n    return P(a) == P(b)',
  ], ['assert f(1) == [1, 2, 3]', 'assert g(1, 1) and not g(1, 2)', 'assert f(5) != f(6)']);
  // A class the problem asks for, compared with itself: its own __eq__ decides, as the test means.
  const [sameClass] = await run(guarded, [
    'class P:\n    def __init__(self, v):\n        self.v = v\n    def __eq__(self, o):\n        return isinstance(o, P) and self.v == o.v\ndef f(x):\n    return P(x)',
  ], ['assert f(1) == f(1)', 'assert f(1) != f(2)', 'assert [f(3), f(4)] == [f(3), f(4)]']);
  for (const e of [helper, sameClass]) assert.is(e.status, 'SUCCESS', JSON.stringify([e.tests, e.stderr]));
});

test('replacing the guard functions in the shared namespace does not help: they are put back before each test', async () => {
  const [e] = await run(guarded, [`${ALWAYS_EQUAL}def f(x):\n    globals()["__crucible_cmp__"] = lambda op, a, b: True\n    return E()`], ['assert f(1) == 2', 'assert f(2) == 3']);
  assert.equal(e.tests.map((t) => t.error), ['HijackedComparison', 'HijackedComparison']);
});

test.run();
