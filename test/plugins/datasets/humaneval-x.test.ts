// The humaneval-x dataset on the real HumanEval-X JavaScript file (data/humaneval-x): one throwing test per
// console.assert, prompt helpers as test setup, the documented errata reported by id, and errors that name the
// record and field for malformed data.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestContext, instantiate } from '../../../core/testing/index.js';
import type { Problem } from '../../../core/kernel/contract/data.js';
import type { Dataset } from '../../../core/kernel/contract/kinds.js';
import humanevalX from '../../../plugins/datasets/humaneval-x/index.js';
import { splitConsoleAsserts } from '../../../plugins/datasets/humaneval-x/split.js';
import javascript, { type JavaScriptExecutor } from '../../../plugins/executors/javascript/index.js';

const FILE = join(import.meta.dirname, '..', '..', '..', 'data', 'humaneval-x', 'humaneval_js.jsonl.gz');
const dir = mkdtempSync(join(tmpdir(), 'crucible-hex-'));
const load = async (config: Record<string, unknown>, ctx = createTestContext()) => (await instantiate<Dataset>(humanevalX as never, config, ctx)).load();
let problems: Problem[];
const byId = (id: string) => problems.find((p) => p.id === id)!;

test.before(async () => {
  problems = await load({ path: FILE });
});
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('164 JavaScript problems, one test per console.assert, entry point and helpers from the declaration', () => {
  assert.is(problems.length, 164);
  assert.ok(problems.every((p) => p.language === 'javascript' && p.tests.length > 0));
  const first = byId('JavaScript/0');
  assert.is(first.entryPoint, 'hasCloseElements');
  assert.is(first.tests.length, 7);
  assert.match(first.tests[1].code, /^console\.assert\(\s*hasCloseElements\(\[1\.0, 2\.0, 3\.9/);
  const poly = byId('JavaScript/32');
  assert.is(poly.entryPoint, 'findZero');
  assert.match(poly.testSetup ?? '', /const poly = /);
  assert.is(poly.tests.length, 1, 'an assertion inside a loop keeps its loop');
  assert.match(poly.tests[0].code, /getRandomIntInclusive[\s\S]*for \(let i = 0; i < 100/);
  const prelude = byId('JavaScript/151');
  assert.ok(prelude.tests.at(-1)!.code.includes('odd_sum'), 'statements before an assertion come with it');
  assert.is(problems.reduce((n, p) => n + p.tests.length, 0), 1141);
});

test('the errata of JavaScript/112, /155, /162 are reported by id and applied unless asked to report only', async () => {
  const ctx = createTestContext();
  const reported = await load({ path: FILE, errata: 'report' }, ctx);
  assert.equal((ctx.recorded['humaneval-x.errata'] as { ids: string[] }).ids, ['JavaScript/112', 'JavaScript/155', 'JavaScript/162']);
  assert.equal((ctx.recorded['humaneval-x.errata'] as { applied: string[] }).applied, []);
  const upstream112 = reported.find((p) => p.id === 'JavaScript/112')!;
  assert.match(upstream112.canonicalSolution ?? '', /return \(z, false\)/);
  assert.match((upstream112.meta.errata as { reason: string }).reason, /comma operator/);
  const fixed = byId('JavaScript/112');
  assert.match(fixed.canonicalSolution ?? '', /return \[t, false\]/);
  assert.equal((fixed.meta.errata as { applied: boolean }).applied, true);
  assert.match((fixed.meta.errata as { upstreamCanonicalSolution: string }).upstreamCanonicalSolution, /return \(z, false\)/);
  assert.ok(problems.filter((p) => p.meta.errata).length === 3);
});

test('console.assert throws in the executor: a wrong program fails its tests, a right one passes', async () => {
  const executor = await instantiate<JavaScriptExecutor>(javascript as never, { workers: 1 }, createTestContext());
  try {
    const p = byId('JavaScript/0');
    const right = p.prompt + p.canonicalSolution;
    const wrong = p.prompt + '  return numbers.length > 3\n}\n';
    const [ok, bad] = await executor.execute(p, [right, wrong].map((code, i) => ({ id: `c${i}`, problemId: p.id, index: i, prompt: p.prompt, completion: '', code })));
    assert.is(ok.status, 'SUCCESS');
    assert.is(bad.status, 'WRONG_OUTPUT');
    assert.ok(bad.passed > 0 && bad.passed < bad.total, `${bad.passed}/${bad.total}`);
  } finally {
    await executor.close?.();
  }
});

test('malformed records are errors naming the file, the line and the field', async () => {
  const file = join(dir, 'bad.jsonl');
  const good = { task_id: 'JavaScript/0', prompt: 'const f = (x) => {\n', canonical_solution: 'return x }\n', declaration: 'const f = (x) => {\n', test: 'const t = () => {\n console.assert(f(1) === 1)\n}\nt()\n' };
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ ...good, test: 'const t = () => {\n console.log(f(1))\n}\nt()\n' }, /bad\.jsonl:2 test: .*JavaScript\/1: cannot split its test into assertions: the test function holds no console\.assert/],
    [{ ...good, test: 'console.assert(f(1) === 1)\n' }, /bad\.jsonl:2 test: .*unexpected top-level ExpressionStatement/],
    [{ ...good, declaration: '// nothing here\n' }, /bad\.jsonl:2 declaration: .*opens no function/],
    [{ ...good, prompt: 42 }, /bad\.jsonl:2: field "prompt" must be string/],
  ];
  for (const [record, expected] of cases) {
    writeFileSync(file, [good, { ...record, task_id: 'JavaScript/1' }].map((r) => JSON.stringify(r)).join('\n') + '\n');
    try {
      await load({ path: file });
      assert.unreachable(`should have failed: ${expected}`);
    } catch (error) {
      assert.match(String(error), /CRUCIBLE_E_DATASET/);
      assert.match(String(error), expected);
    }
  }
});

test('the splitter keeps the statements before each assertion and refuses a test without one', () => {
  const { tests } = splitConsoleAsserts('function t() {\n let a = f(1)\n console.assert(a === 1)\n a = f(2)\n console.assert(a === 2, "two")\n}\nt()\n');
  assert.equal(tests, ['let a = f(1)\nconsole.assert(a === 1)', 'let a = f(1)\na = f(2)\nconsole.assert(a === 2, "two")']);
  assert.throws(() => splitConsoleAsserts('const t = () => { f(1) }\nt()'), /holds no console\.assert/);
});

test.run();
