// The humaneval dataset on the real files in ../shared/data: counts, assert splitting, HumanEval+ tests from
// canonical outputs, the canonical solution passing every split test, and line-numbered errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import plugin from '../../../plugins/datasets/humaneval.js';
import { instantiate } from '../../../core/testing/index.js';
import { isCrucibleError } from '../../../core/kernel/errors.js';
import { readText } from '../../../core/util/jsonl.js';
import type { Problem } from '../../../core/kernel/contract/data.js';
import { datasetLoader } from './loader.js';
import { DATA, canonicalDataFailures, canonicalFailures, runDataJobs, runJobs } from './pyrun.js';

const tmp = mkdtempSync(join(tmpdir(), 'crucible-humaneval-'));
const cacheDir = join(tmp, 'cache');

const { load, loadError } = datasetLoader(plugin, cacheDir);

const heLines = readText(join(DATA, 'HumanEval.jsonl.gz')).split('\n').filter(Boolean);
let he: Problem[];
let plus: Problem[];

test('HumanEval: 164 problems, 1133 separate tests (48 `assert True` dropped)', async () => {
  he = await load({ path: 'HumanEval.jsonl.gz' });
  assert.is(he.length, 164);
  assert.is(he.reduce((n, p) => n + p.tests.length, 0), 1133);
  assert.is(he.reduce((n, p) => n + (p.meta.droppedTrivialAsserts as number), 0), 48);
  assert.is(he[0].id, 'HumanEval/0');
  assert.is(he[163].id, 'HumanEval/163');
  for (const p of he) {
    assert.ok(p.tests.length >= 1, p.id);
    assert.is(new Set(p.tests.map((t) => t.id)).size, p.tests.length);
    assert.ok(p.testSetup!.endsWith(`candidate = ${p.entryPoint}\n`), p.id);
    assert.is(p.language, 'python');
  }
});

test('HumanEval/0: check() split into its 7 asserts, METADATA in the setup', () => {
  const p = he[0];
  assert.is(p.tests.length, 7);
  assert.is(p.tests[0].code, 'assert candidate([1.0, 2.0, 3.9, 4.0, 5.0, 2.2], 0.3) == True');
  assert.is(p.tests[6].code, 'assert candidate([1.1, 2.2, 3.1, 4.1, 5.1], 0.5) == False');
  assert.match(p.testSetup!, /^METADATA = \{/);
});

test('statements an assert depends on come with it; a loop with asserts stays one test', () => {
  const p151 = he[151];
  assert.is(p151.tests.length, 7);
  assert.is(p151.tests[6].code.split('\n').length, 3);
  assert.match(p151.tests[6].code, /^lst = list\(range\(-99, 100, 2\)\)\nodd_sum = .*\nassert candidate\(lst\) == odd_sum/);
  assert.not.match(p151.tests[0].code, /lst =/, 'unrelated statements are not copied');
  const p53 = he[53];
  assert.is(p53.tests.length, 6);
  assert.match(p53.tests[5].code, /^import random\nfor i in range\(100\):/);
  const p32 = he[32];
  assert.is(p32.tests.length, 1);
  assert.match(p32.tests[0].code, /import math\nimport random\nrng = random.Random\(42\)\nimport copy\nfor _ in range\(100\):/);
  assert.not.match(he[129].tests[0].code, /print/, 'a bare `print` statement is no dependency');
});

test('HumanEval: the canonical solution passes every split test', () => {
  assert.equal(canonicalFailures(he), []);
});

test('tests are independent: a wrong solution fails exactly the asserts it gets wrong', () => {
  const p = he[0];
  const [res] = runJobs([{ label: p.id, program: `${p.prompt}    return True\n`, setup: p.testSetup!, tests: p.tests.map((t) => t.code) }]);
  assert.equal(res.results, ['pass', 'fail', 'pass', 'fail', 'pass', 'pass', 'fail']);
});

test('HumanEval+: 164 problems, one test per base input (1,570), canonical passes all', async () => {
  plus = await load({ path: 'HumanEvalPlus-v0.1.10.jsonl.gz' });
  assert.is(plus.length, 164);
  assert.is(plus.reduce((n, p) => n + p.tests.length, 0), 1570);
  assert.is(plus[0].meta.variant, 'plus');
  assert.is(plus[0].tests.length, 7);
  assert.is(plus[0].tests[0].id, 'b0');
  assert.equal(plus[0].tests.map((t) => t.code), plus[0].tests.map((_, k) => `_crucible_check(${k})`), 'tests index the data file');
  assert.match(plus[0].testData!.file, /[0-9a-f]{64}\.marshal$/);
  assert.ok(plus[0].testData!.file.includes(plus[0].testData!.sha256), 'named by its content hash');
  assert.is(plus[32].meta.oracle, 'poly-root', 'find_zero is checked by the root, not by equality');
  for (const p of plus) assert.equal(p.meta.skippedInputs, [], p.id);
  assert.equal(canonicalDataFailures(plus), []);
});

test('HumanEval+: float outputs compare within atol, and a wrong answer fails', () => {
  const p = plus.find((x) => x.id === 'HumanEval/2')!; // truncate_number: float outputs
  const near = `${p.prompt}    return number % 1.0 + 1e-9\n`;
  const far = `${p.prompt}    return number % 1.0 + 1e-3\n`;
  const [a, b] = runDataJobs([{ label: 'near', program: near, problem: p }, { label: 'far', program: far, problem: p }]);
  assert.ok(a.results.every((r) => r === 'pass'), JSON.stringify(a));
  assert.ok(b.results.every((r) => r === 'fail'), JSON.stringify(b));
});

test('HumanEval+: plus inputs on request, bounded by maxPlusInputs', async () => {
  const small = join(tmp, 'plus-small.jsonl');
  writeFileSync(small, readText(join(DATA, 'HumanEvalPlus-v0.1.10.jsonl.gz')).split('\n').slice(0, 3).join('\n') + '\n');
  const problems = await load({ path: small, plusInputs: true, maxPlusInputs: 4 });
  assert.is(problems.length, 3);
  assert.equal(problems[0].tests.map((t) => t.id), ['b0', 'b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'p0', 'p1', 'p2', 'p3']);
  assert.equal(canonicalDataFailures(problems), []);
});

test('results are cached on disk by file hash: a second load is identical', async () => {
  assert.ok(readdirSync(cacheDir).some((f) => f.startsWith('split-checks-')));
  const again = await load({ path: join(DATA, 'HumanEval.jsonl.gz') });
  assert.is(JSON.stringify(again.map((p) => p.tests)), JSON.stringify(he.map((p) => p.tests)));
  const uncached = await load({ path: 'HumanEval.jsonl.gz', cacheDir: 'none' });
  assert.is(JSON.stringify(uncached), JSON.stringify(he));
});

test('a corrupted line names the file and line (jsonl and gz)', async () => {
  const lines = [...heLines];
  lines[6] = lines[6].slice(0, 40);
  writeFileSync(join(tmp, 'bad.jsonl'), lines.join('\n') + '\n');
  writeFileSync(join(tmp, 'bad.jsonl.gz'), gzipSync(lines.join('\n') + '\n'));
  for (const name of ['bad.jsonl', 'bad.jsonl.gz']) {
    const error = await loadError({ path: name }, tmp);
    assert.is(error.code, 'CRUCIBLE_E_DATASET');
    assert.is(error.issues[0].line, 7);
    assert.is(error.issues[0].file, join(tmp, name));
    assert.match(error.message, new RegExp(`${name}:7: not valid JSON`));
  }
});

test('a record with a missing or mistyped field names its line and field', async () => {
  const rec = JSON.parse(heLines[3]);
  delete rec.entry_point;
  writeFileSync(join(tmp, 'missing.jsonl'), [heLines[0], heLines[1], heLines[2], JSON.stringify(rec)].join('\n'));
  const error = await loadError({ path: 'missing.jsonl' }, tmp);
  assert.is(error.issues[0].line, 4);
  assert.match(error.message, /missing field "entry_point"/);
  writeFileSync(join(tmp, 'dup.jsonl'), [heLines[0], heLines[1], heLines[0]].join('\n'));
  assert.match((await loadError({ path: 'dup.jsonl' }, tmp)).message, /dup.jsonl:3: duplicate problem id "HumanEval\/0" \(first at line 1\)/);
  const broken = JSON.parse(heLines[1]);
  broken.test = 'def check(candidate):\n    x = 1\n';
  writeFileSync(join(tmp, 'noassert.jsonl'), [heLines[0], JSON.stringify(broken)].join('\n'));
  assert.match((await loadError({ path: 'noassert.jsonl' }, tmp)).message, /noassert.jsonl:2: HumanEval\/1: cannot split its test into assertions: .*no assertion/);
  assert.ok(!existsSync(join(tmp, 'nothing-here')));
});

test('config: unknown keys and bad variants are rejected like the kernel does', async () => {
  for (const config of [{ path: 'x', variant: 'plus-plus' }, { path: 'x', colour: 1 }, {}]) {
    try {
      await instantiate(plugin, config);
      assert.unreachable('should have thrown');
    } catch (error) {
      assert.ok(isCrucibleError(error), String(error));
      assert.is((error as { code: string }).code, 'CRUCIBLE_E_PLUGIN_CONFIG');
    }
  }
});

test.run();
