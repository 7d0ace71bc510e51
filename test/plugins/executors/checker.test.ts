// The checker protocol on honest programs: what crosses as plain data keeps its meaning (mutated arguments,
// exceptions, builtin subclasses, iterators, the prompt's own helpers), and problems whose tests need the candidate's
// own classes or globals run in the recorded in-process mode. Real Python under sandbox "required".
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createTestContext, instantiate } from '../../../core/testing/index.js';
import python, { type PythonExecutor } from '../../../plugins/executors/python/index.js';
import { candidates, problem } from './helpers.js';

let executor: PythonExecutor;

test.before(async () => {
  executor = await instantiate<PythonExecutor>(python as never, { sandbox: 'required', workers: 1, timeoutSeconds: 2, testTimeoutSeconds: 0.5, dedupe: false }, createTestContext());
});
test.after(async () => {
  await executor.close?.();
});

const one = async (code: string, tests: string[], extra = {}) => (await executor.execute(problem(tests, extra), candidates([code])))[0];

test('arguments the candidate mutates are mutated for the test too', async () => {
  const e = await one('def f(xs):\n    xs.sort()\n    xs.append(9)', ['lst = [3, 1, 2]\nf(lst)\nassert lst == [1, 2, 3, 9]', 'd = {}\nf2 = f\nassert f([2, 1]) is None']);
  assert.equal([e.status, e.isolation], ['SUCCESS', 'checker'], JSON.stringify(e));
});

test('exceptions keep their builtin type (tests may expect them); unknown ones keep their name', async () => {
  const e = await one('class Oops(Exception):\n    pass\ndef f(x):\n    if x < 0:\n        raise ValueError("negative")\n    raise Oops()', [
    'try:\n    f(-1)\n    assert False\nexcept ValueError:\n    pass',
    'f(1)',
  ]);
  assert.equal(e.tests.map((t) => [t.outcome, t.error]), [['pass', undefined], ['error', 'Oops']]);
});

test('builtin subclasses, iterators, big and special numbers arrive as plain values', async () => {
  const code = [
    'from collections import Counter, namedtuple, OrderedDict',
    'P = namedtuple("P", "x y")',
    'def f(k):',
    '    return {0: Counter("aab"), 1: P(1, 2), 2: OrderedDict(a=1), 3: (i * i for i in range(3)), 4: 2 ** 200, 5: float("nan"), 6: 1 + 2j, 7: b"\\x00\\xff", 8: frozenset({1}), 9: True}[k]',
  ].join('\n');
  const e = await one(code, [
    "assert f(0) == {'a': 2, 'b': 1}", 'assert f(1) == (1, 2)', "assert f(2) == {'a': 1}", 'assert list(f(3)) == [0, 1, 4]',
    'assert f(4) == 2 ** 200', 'import math\nassert math.isnan(f(5))', 'assert f(6) == 1 + 2j', "assert f(7) == b'\\x00\\xff'",
    'assert f(8) == frozenset({1}) and type(f(8)) is frozenset', 'assert f(9) is True',
  ]);
  assert.equal(e.tests.map((t) => t.outcome), Array(10).fill('pass'), JSON.stringify(e.tests));
});

test('anything else is UnserializableResult, named in stderr', async () => {
  const e = await one('import threading\ndef f(x):\n    return threading.Lock()', ['assert f(1) is not None']);
  assert.equal([e.status, e.error], ['RUNTIME_ERROR', 'UnserializableResult']);
  assert.match(e.stderr ?? '', 'returned a lock');
});

test('helpers from the prompt run in the checker: a candidate redefining them changes nothing', async () => {
  const prompt = 'def double(x):\n    return 2 * x\n\ndef f(x):\n    """half"""\n';
  const tests = ['assert double(f(4)) == 4', 'assert double(f(10)) == 10'];
  const honest = await one(`${prompt}    return x / 2\n`, tests, { prompt });
  const cheat = await one(`${prompt}    return 0\ndef double(x):\n    return 4 if x == 0 else 10\n`, tests, { prompt });
  assert.is(honest.status, 'SUCCESS');
  assert.is(cheat.status, 'WRONG_OUTPUT');
});

test('tests that use a class of the candidate (or define one) run in the recorded in-process mode', async () => {
  const before = (executor.describe().isolation as Record<string, number>)['in-process'];
  const e = await one('class Stack:\n    def __init__(self):\n        self.items = []\ndef f(s):\n    return len(s.items)', ['assert f(Stack()) == 0'], { canonicalSolution: 'class Stack:\n    pass\ndef f(s):\n    return 0' });
  const defines = await one('def f(n):\n    return n.v + 1', ['class Node:\n    def __init__(self, v):\n        self.v = v\nassert f(Node(1)) == 2']);
  assert.equal([e.status, e.isolation, defines.status, defines.isolation], ['SUCCESS', 'in-process', 'SUCCESS', 'in-process']);
  assert.is((executor.describe().isolation as Record<string, number>)['in-process'], before + 2, 'counted');
});

test('a timeout inside a call is that test\'s, with its limit; the next test gets a fresh process', async () => {
  const e = await one('def f(x):\n    while x == 0:\n        pass\n    return x', ['assert f(1) == 1', 'assert f(0) == 0', 'assert f(2) == 2']);
  assert.equal(e.tests.map((t) => t.outcome), ['pass', 'timeout', 'pass']);
  assert.ok((e.tests[1].limitSeconds ?? 0) > 0, JSON.stringify(e.tests[1]));
});

test.run();
