// The python executor's dedupe key: comments, blank lines and trailing spaces go, nothing that changes what the
// program does. Each case is checked against the real interpreter: the key compiles to the same syntax tree as the
// program (or both are syntax errors), and the cases that must stay apart keep different keys.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { pythonLayoutKey } from '../../../plugins/executors/python/layout-key.js';
import { dedupeByCode } from '../../../plugins/executors/sandbox/dedupe.js';
import { candidates } from './helpers.js';

const CASES = [
  'def f(x):\n    # add one\n    return x + 1  # done\n',
  'def f(x):\n\n    return x + 1   \n\n\n',
  'def f(x):\n    return "#not a comment" + x  # a comment\n',
  "def f(x):\n    s = '''line one   \n\n  # still text\n'''\n    return s + x\n",
  'def f(x):\n    s = """a \\""" # text""" # comment\n    return s\n',
  "def f(x):\n    return 'it\\'s # text' # comment\n",
  'def f(x):\n    y = 1 + \\\n        2  # c\n    return y\n',
  'def f(x):\n    y = 1 + \\ # a syntax error\n        2\n    return y\n',
  'def f(x):\n    y = 1 + \\\n\n    return y\n',
  'def f(x):\n    return [1,  # one\n\n            2]\n',
  "def f(x):\n    return f'{x}#'  # kept whole\n",
  'def f(x):\r\n    return x # c\r\n',
  "def f(x):\n    return 'open\n",
];

/** ast.dump of each source, or "SyntaxError", from the real interpreter. */
function trees(sources: string[]): string[] {
  const script = 'import ast, json, sys\nout = []\nfor s in json.load(sys.stdin):\n    try:\n        out.append(ast.dump(ast.parse(s)))\n    except SyntaxError:\n        out.append("SyntaxError")\nprint(json.dumps(out))\n';
  return JSON.parse(execFileSync('python3', ['-c', script], { input: JSON.stringify(sources) }).toString()) as string[];
}

test('each key compiles to the same syntax tree as its program (or both are syntax errors)', () => {
  const keys = CASES.map(pythonLayoutKey);
  assert.equal(trees(keys), trees(CASES));
});

test('comments, blank lines and trailing spaces outside strings go; strings, continuations and f-strings stay', () => {
  const same = (a: string, b: string) => assert.is(pythonLayoutKey(a), pythonLayoutKey(b), JSON.stringify([a, b]));
  const apart = (a: string, b: string) => assert.is.not(pythonLayoutKey(a), pythonLayoutKey(b), JSON.stringify([a, b]));
  same(CASES[0], 'def f(x):\n    return x + 1\n');
  same(CASES[1], 'def f(x):\n    return x + 1');
  apart(CASES[2], 'def f(x):\n    return "" + x\n');
  apart(CASES[3], "def f(x):\n    s = '''line one\n  # still text\n'''\n    return s + x\n");
  apart(CASES[7], 'def f(x):\n    y = 1 + \\\n        2\n    return y\n'); // a syntax error does not become a continuation
  apart(CASES[8], 'def f(x):\n    y = 1 + \\\n    return y\n');
  apart(CASES[10], "def f(x):\n    return f'{x}#'\n");
  apart('def f(x):\r    return 1 # c\r    return 2\n', 'def f(x):\r    return 1 # c\r    return 3\n'); // \r ends a line
});

test('dedupe by layout: copies that differ only in comments share one execution under their own ids', () => {
  const cs = candidates(['def f(x):\n    return x  # one\n', 'def f(x):\n\n    return x\n', 'def f(x):\n    return -x\n']);
  const exact = dedupeByCode(cs);
  const layout = dedupeByCode(cs, pythonLayoutKey);
  assert.is(exact.distinct.length, 3);
  assert.equal(layout.distinct.map((c) => c.id), [cs[0].id, cs[2].id]);
  const runs = layout.distinct.map((c) => ({ candidateId: c.id, problemId: c.problemId, status: 'SUCCESS', passed: 1, total: 1, passRate: 1, tests: [], durationMs: 1 }) as never);
  assert.equal(layout.expand(runs).map((e: { candidateId: string }) => e.candidateId), cs.map((c) => c.id));
});

test.run();
