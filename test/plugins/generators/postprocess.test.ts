// The shared post-processing module: each mode on its own, their fixed order, and the batched sanitizer.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  bodyIndent,
  dedentFix,
  extractCode,
  mistralCleanup,
  postprocess,
  postprocessMany,
  postprocessSync,
  promptPreamble,
  stripDocstrings,
} from '../../../plugins/generators/postprocess/index.js';
import { runJobs } from '../datasets/pyrun.js';

const PROMPT = 'from typing import List\n\n\ndef total(xs: List[int]) -> int:\n    """Sum of xs.\n    >>> total([1, 2])\n    3\n    """\n';
const POLY_PROMPT = 'import math\n\n\ndef poly(xs, x):\n    return sum(c * x ** i for i, c in enumerate(xs))\n\n\ndef find_zero(xs):\n    """Find a zero."""\n';

test('none: the program is prompt + completion, unchanged', async () => {
  const r = await postprocess('    return sum(xs)\n', { mode: 'none', entryPoint: 'total', prompt: PROMPT });
  assert.equal(r, { code: PROMPT + '    return sum(xs)\n', completion: '    return sum(xs)\n', changed: false, program: false });
});

test('extract-code: the fenced block that defines the entry point, with the prompt\'s preamble in front', async () => {
  const reply = 'Sure! Here is an example:\n```python\nprint(1)\n```\nAnd the solution:\n```python\ndef total(xs):\n    return sum(xs)\n```\nThis works because sum adds.';
  const r = await postprocess(reply, { mode: ['extract-code'], entryPoint: 'total', prompt: PROMPT });
  assert.ok(r.program && r.changed);
  assert.is(r.code, 'from typing import List\n\n\ndef total(xs):\n    return sum(xs)\n');
  assert.is(extractCode('```\nx = 1\n```', 'f'), 'x = 1\n', 'no block defines it: the first one');
  assert.is(extractCode('Here you go:\ndef total(xs):\n    return sum(xs)\n\nIt sums the list.', 'total'), 'def total(xs):\n    return sum(xs)\n');
  assert.is(promptPreamble(POLY_PROMPT, 'find_zero'), 'import math\n\n\ndef poly(xs, x):\n    return sum(c * x ** i for i, c in enumerate(xs))\n\n\n');
});

test('dedent-fix: a completion with its leading indentation stripped is re-indented', () => {
  assert.is(bodyIndent(PROMPT), '    ');
  assert.is(dedentFix('s = 0\n    for x in xs:\n        s += x\n    return s', PROMPT, 'total'), '    s = 0\n    for x in xs:\n        s += x\n    return s');
  assert.is(dedentFix('s = sum(xs)\nreturn s\n', PROMPT, 'total'), '    s = sum(xs)\n    return s\n', 'all lines flush left: all re-indented');
  assert.is(dedentFix('    return sum(xs)\n', PROMPT, 'total'), '    return sum(xs)\n', 'already indented: unchanged');
  assert.is(dedentFix('def total(xs):\n    return 1\n', PROMPT, 'total'), 'def total(xs):\n    return 1\n', 'a redefinition is left alone');
});

test('strip-docstrings drops standalone string literals, not string values', () => {
  assert.is(stripDocstrings('"""Doc\n    more."""\n    x = """kept"""\n    return x\n'), '    x = """kept"""\n    return x\n');
  assert.is(stripDocstrings("def f():\n    '''doc'''\n    return 1\n"), 'def f():\n    return 1\n');
});

test('mistral-cleanup: the four documented rewrites', () => {
  assert.is(mistralCleanup('""" doc """\n    return 1'), '\n    return 1');
  assert.is(mistralCleanup("'''doc'''\n    return 1"), '\n    return 1');
  assert.is(mistralCleanup('    return 1 END CODE'), '    return 1 \n');
  assert.is(mistralCleanup('return 1'), '\treturn 1', 'a word character at the start gets a tab');
});

test('modes apply in a fixed order, whatever order they are listed in', () => {
  const a = postprocessSync('""" Sum. """\ns = sum(xs)\n    return s', { mode: ['dedent-fix', 'strip-docstrings', 'mistral-cleanup'], entryPoint: 'total', prompt: PROMPT });
  const b = postprocessSync('""" Sum. """\ns = sum(xs)\n    return s', { mode: ['mistral-cleanup', 'dedent-fix', 'strip-docstrings'], entryPoint: 'total', prompt: PROMPT });
  assert.equal(a, b);
  assert.ok(a.changed);
  assert.throws(() => postprocessSync('x', { mode: ['sanitize'], entryPoint: 'total', prompt: PROMPT }), /cannot sanitize/);
  assert.throws(() => postprocessSync('x', { mode: ['bogus' as never], entryPoint: 'total', prompt: PROMPT }), /unknown post-processing mode "bogus"/);
});

test('sanitize (batched, one Python process): keeps imports, the entry point and its helpers; drops prose, tests, __main__', async () => {
  const reply = [
    'Here is my solution:',
    '```python',
    'import math',
    '',
    'def helper(x):',
    '    return x',
    '',
    'def unused():',
    '    return 0',
    '',
    'def total(xs):',
    '    return sum(helper(x) for x in xs) + K',
    '',
    'K = 0',
    '',
    'print(total([1, 2]))',
    'assert total([1]) == 1',
    '',
    'if __name__ == "__main__":',
    '    print("demo")',
    '```',
  ].join('\n');
  const [r, keepsPoly, noEntry] = await postprocessMany([
    { text: reply, mode: ['extract-code', 'sanitize'], entryPoint: 'total', prompt: PROMPT },
    { text: '    return 0.0\n\nprint(find_zero([1, 2]))\n', mode: ['sanitize'], entryPoint: 'find_zero', prompt: POLY_PROMPT },
    { text: 'no code at all', mode: ['sanitize'], entryPoint: 'total', prompt: 'x = 1\n' },
  ]);
  assert.is(r.code, 'from typing import List\n\n\nimport math\n\ndef helper(x):\n    return x\n\ndef total(xs):\n    return sum(helper(x) for x in xs) + K\n\nK = 0\n');
  assert.ok(r.changed && r.program);
  assert.ok(keepsPoly.code.startsWith(POLY_PROMPT.slice(0, POLY_PROMPT.indexOf('def find_zero'))), 'prompt helpers the tests use stay');
  assert.not.match(keepsPoly.code, /print\(/);
  assert.match(noEntry.warning ?? '', /sanitize: ValueError: no top-level function total/);
  assert.is(noEntry.changed, false);
  const [res] = runJobs([{ label: 'r', program: r.code, setup: '', tests: ['assert total([1, 2]) == 3'] }]);
  assert.equal(res.results, ['pass']);
});

test.run();
