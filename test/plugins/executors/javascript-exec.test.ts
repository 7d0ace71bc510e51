// Acceptance of `crucible exec --language javascript` on HumanEval-X JavaScript: the upstream canonical solutions
// pass every problem but the two defective ones (JavaScript/162 passes: the sandbox serves its md5 require), the
// errata-corrected ones pass all 164, and the same programs with every body replaced by `return undefined` never do.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { runExec } from '../../../core/cli/commands/exec.js';
import { HUMANEVAL_X_JS_ERRATA } from '../../../plugins/datasets/humaneval-x/errata.js';
import { findBwrap } from '../../../plugins/executors/sandbox/isolation.js';

const FILE = join(import.meta.dirname, '..', '..', '..', 'data', 'humaneval-x', 'humaneval_js.jsonl.gz');
const records = gunzipSync(readFileSync(FILE)).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { task_id: string; canonical_solution: string });
const dir = mkdtempSync(join(tmpdir(), 'crucible-js-exec-'));
const quiet = () => undefined;
const sandbox = findBwrap() ? 'required' : 'auto';

interface Row { task_id: string; status: string; passRate: number; passed: number; total: number; result: string }

async function exec(name: string, completion: (r: (typeof records)[number]) => string): Promise<Row[]> {
  const samples = join(dir, `${name}.jsonl`);
  const out = join(dir, `${name}.out.jsonl`);
  writeFileSync(samples, records.map((r) => JSON.stringify({ task_id: r.task_id, completion: completion(r) })).join('\n') + '\n');
  await runExec({ problems: FILE, samples, out, sandbox, language: 'javascript', workers: '2' }, quiet);
  return readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Row);
}

test.after(() => rmSync(dir, { recursive: true, force: true }));

test('upstream canonical solutions: SUCCESS with passRate 1 everywhere but JavaScript/112 and /155', async () => {
  const rows = await exec('upstream', (r) => r.canonical_solution);
  const failing = rows.filter((r) => r.status !== 'SUCCESS');
  assert.equal(failing.map((r) => `${r.task_id} ${r.status} ${r.passed}/${r.total}`), ['JavaScript/112 WRONG_OUTPUT 0/9', 'JavaScript/155 WRONG_OUTPUT 7/8']);
  assert.ok(rows.filter((r) => r.status === 'SUCCESS').every((r) => r.passRate === 1));
  assert.is(rows.find((r) => r.task_id === 'JavaScript/162')!.status, 'SUCCESS', 'require("js-md5") is served inside the sandbox');
});

test('errata-corrected canonical solutions: all 164 SUCCESS', async () => {
  const rows = await exec('corrected', (r) => HUMANEVAL_X_JS_ERRATA[r.task_id]?.correctedSolution ?? r.canonical_solution);
  assert.is(rows.length, 164);
  assert.equal(rows.filter((r) => r.status !== 'SUCCESS').map((r) => r.task_id), []);
});

test('every body replaced by `return undefined`: never SUCCESS', async () => {
  const rows = await exec('undefined', () => '  return undefined\n}\n');
  assert.equal(rows.filter((r) => r.status === 'SUCCESS').map((r) => r.task_id), []);
  assert.ok(rows.every((r) => r.result.startsWith('failed')));
});

test.run();
