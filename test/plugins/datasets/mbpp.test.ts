// The mbpp dataset on the real files in ../shared/data: full (974), sanitized (427), MBPP+ (378), the
// HumanEval-style prompt, prompt + canonical passing every test, and line-numbered errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import plugin, { splitPlusPrompt } from '../../../plugins/datasets/mbpp.js';
import { readText } from '../../../core/util/jsonl.js';
import type { Problem } from '../../../core/kernel/contract/data.js';
import { datasetLoader } from './loader.js';
import { DATA, canonicalDataFailures, canonicalFailures, dataInputReprs, runJobs } from './pyrun.js';

const tmp = mkdtempSync(join(tmpdir(), 'crucible-mbpp-'));
const cacheDir = join(tmp, 'cache');

const { load, loadError } = datasetLoader(plugin, cacheDir);

let full: Problem[];

test('MBPP full: 974 problems "mbpp/1".."mbpp/974", 3 separate asserts each', async () => {
  full = await load({ path: 'mbpp.jsonl' });
  assert.is(full.length, 974);
  assert.is(full[0].id, 'mbpp/1');
  assert.is(full[973].id, 'mbpp/974');
  assert.is(full.reduce((n, p) => n + p.tests.length, 0), 2922);
  for (const p of full) {
    assert.is(p.tests.length, 3, p.id);
    for (const t of p.tests) assert.match(t.code, /^assert/);
    assert.is(p.meta.variant, 'full');
  }
});

test('MBPP prompt: context the tests need + signature + docstring with the text and the first test', () => {
  const p1 = full[0];
  assert.is(p1.entryPoint, 'min_cost');
  assert.is(
    p1.prompt,
    'def min_cost(cost, m, n):\n    """\n    Write a function to find the minimum cost path to reach (m, n) from (0, 0) for the given cost matrix cost[][] and a position (m, n) in cost[][].\n\n    Your code should pass this test:\n    assert min_cost([[1, 2, 3], [4, 8, 2], [1, 5, 3]], 2, 2) == 8\n    """\n',
  );
  assert.match(p1.canonicalSolution!, /^    tc = \[\[0 for x in range\(C\)\]/);
  assert.match(p1.canonicalSolution!, /\nR = 3\n/, 'module-level constants of the reference code follow the body');
  const p367 = full.find((p) => p.id === 'mbpp/367')!;
  assert.ok(p367.prompt.startsWith('class Node:'), 'a class the test setup builds is part of the prompt');
  assert.match(p367.testSetup!, /^root = Node\(1\)/);
  assert.not.match(p367.testSetup!, /\r/);
});

test('MBPP full: prompt + canonical solution passes every test (with test_setup_code)', () => {
  assert.equal(canonicalFailures(full), []);
});

test('MBPP: a wrong solution fails only its own asserts', () => {
  const p = full[0];
  const [res] = runJobs([{ label: p.id, program: `${p.prompt}    return 8\n`, setup: p.testSetup ?? '', tests: p.tests.map((t) => t.code) }]);
  assert.equal(res.results, ['pass', 'fail', 'fail']);
});

test('challenge tests on request', async () => {
  const withChallenge = await load({ path: 'mbpp.jsonl', challengeTests: true });
  assert.ok(withChallenge.reduce((n, p) => n + p.tests.length, 0) > 2922);
});

test('MBPP sanitized (JSON array): 427 problems, same ids as full, canonical passes', async () => {
  const san = await load({ path: 'sanitized-mbpp.json' });
  assert.is(san.length, 427);
  assert.is(san[0].id, 'mbpp/2');
  assert.is(san[0].meta.variant, 'sanitized');
  assert.is(san.reduce((n, p) => n + p.tests.length, 0), 1324);
  assert.equal(canonicalFailures(san), []);
});

test('MBPP+: 378 problems with the file\'s ids, one test per base input (1,174), typed inputs, canonical passes', async () => {
  const plus = await load({ path: 'MbppPlus-v0.2.0.jsonl.gz' });
  assert.is(plus.length, 378);
  assert.is(plus[0].id, 'Mbpp/2');
  assert.is(plus.reduce((n, p) => n + p.tests.length, 0), 1174);
  assert.is(plus[0].tests[0].code, '_crucible_check(0)');
  assert.is(dataInputReprs(plus[0])[0], '((3, 4, 5, 6), (5, 7, 4, 10))', 'tuples restored from the assertion literals');
  assert.is(plus[0].meta.oracle, 'set-equal');
  assert.ok(plus[0].prompt.startsWith('def similar_elements(test_tup1, test_tup2):\n    """\n    Write a function to find the shared elements'));
  const p124 = plus.find((p) => p.id === 'Mbpp/124')!;
  assert.is(dataInputReprs(p124)[0], '(0, 1j)', 'complex inputs restored from the assertion literals');
  for (const p of plus) assert.equal(p.meta.skippedInputs, [], p.id);
  assert.equal(canonicalDataFailures(plus), []);
});

test('MBPP+ plus inputs: complex numbers written as text (/252) and tuples nested deeper than the examples (/580) are restored; an expected output over 48 MiB is skipped, by name', async () => {
  const lines = readText(join(DATA, 'MbppPlus-v0.2.0.jsonl.gz')).split('\n').filter((l) => l.includes('"Mbpp/252"') || l.includes('"Mbpp/580"'));
  const big = JSON.parse(lines[0]);
  big.task_id = 'T/big';
  big.canonical_solution = 'def convert(n):\n  return "x" * n\n';
  big.base_input = [[1]];
  big.plus_input = [[2], [50 << 20]];
  big.assertion = 'assert convert(1) == "x"\n';
  writeFileSync(join(tmp, 'plus3.jsonl'), [...lines, JSON.stringify(big)].join('\n') + '\n');
  const plus = await load({ path: join(tmp, 'plus3.jsonl'), plusInputs: true });
  const [p252, p580, pBig] = plus;
  assert.equal(p252.meta.skippedInputs, []);
  assert.equal(p580.meta.skippedInputs, []);
  assert.ok(dataInputReprs(p252).some((r) => /^\(\(-?[\d.]+[+-][\d.]+j\),\)$/.test(r)), 'complex arguments');
  assert.ok(dataInputReprs(p580).every((r) => !r.includes('[')), 'tuples all the way down');
  assert.equal(canonicalDataFailures([p252, p580]), []);
  assert.equal(pBig.meta.skippedInputs, [{ source: 'plus', index: 1, reason: `not storable as plain data: ${(50 << 20) + 5} bytes, over the ${48 << 20} a candidate's answer may have` }]);
});

test('splitPlusPrompt separates the text from the example', () => {
  assert.equal(splitPlusPrompt('"""\nWrite a function.\nassert f(1) == 2\n"""\n'), { text: 'Write a function.', example: 'assert f(1) == 2' });
});

test('a corrupted line names the file and line (jsonl and gz); a broken JSON array names its line', async () => {
  const lines = readText(join(DATA, 'mbpp.jsonl')).split('\n').filter(Boolean).slice(0, 20);
  lines[11] = '{"text": "oops", ';
  writeFileSync(join(tmp, 'bad.jsonl'), lines.join('\n') + '\n');
  let error = await loadError({ path: 'bad.jsonl' }, tmp);
  assert.is(error.code, 'CRUCIBLE_E_DATASET');
  assert.is(error.issues[0].line, 12);
  assert.match(error.message, /bad.jsonl:12: not valid JSON/);

  const plusLines = readText(join(DATA, 'MbppPlus-v0.2.0.jsonl.gz')).split('\n').filter(Boolean).slice(0, 5);
  plusLines[3] = plusLines[3].slice(0, 100);
  writeFileSync(join(tmp, 'bad-plus.jsonl.gz'), gzipSync(plusLines.join('\n') + '\n'));
  error = await loadError({ path: 'bad-plus.jsonl.gz' }, tmp);
  assert.is(error.issues[0].line, 4);
  assert.match(error.message, /bad-plus.jsonl.gz:4: not valid JSON/);

  writeFileSync(join(tmp, 'bad.json'), '[\n{"task_id": 1,\n"prompt": }\n]');
  error = await loadError({ path: 'bad.json' }, tmp);
  assert.is(error.issues[0].line, 3);

  const rec = JSON.parse(lines[0]);
  rec.test_list = 'assert x';
  writeFileSync(join(tmp, 'typed.jsonl'), [lines[1], JSON.stringify(rec)].join('\n'));
  error = await loadError({ path: 'typed.jsonl' }, tmp);
  assert.is(error.issues[0].line, 2);
  assert.match(error.message, /field "test_list" must be string\[\], got string/);
});

test('a reference program no test calls is reported with its line', async () => {
  const lines = readText(join(DATA, 'mbpp.jsonl')).split('\n').filter(Boolean).slice(0, 3);
  const rec = JSON.parse(lines[2]);
  rec.test_list = ['assert nothing_defined(1) == 2'];
  writeFileSync(join(tmp, 'noentry.jsonl'), [lines[0], lines[1], JSON.stringify(rec)].join('\n'));
  const error = await loadError({ path: 'noentry.jsonl' }, tmp);
  assert.is(error.issues[0].line, 3);
  assert.match(error.message, /mbpp\/3: cannot build a prompt .*no test calls a function defined/);
});

test.run();
