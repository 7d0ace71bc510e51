// Verdicts of HumanEval+/MBPP+ data problems do not change when the machine is busy: limits count CPU seconds and a
// timeout is confirmed at the reference limit (wall time only backs them up, with slack), so a CPU hog on every core
// beside the executor slows the run down without turning a slow but correct solution into TIMEOUT or a loop into
// anything else. The smaller version of `bench/plus-throughput.ts --hog`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import humaneval from '../../../plugins/datasets/humaneval.js';
import python, { type PythonExecutor } from '../../../plugins/executors/python/index.js';
import { createTestContext, instantiate } from '../../../core/testing/index.js';
import type { Dataset } from '../../../core/kernel/contract/kinds.js';
import type { Execution, Problem } from '../../../core/kernel/contract/data.js';
import { candidates } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'crucible-plus-hog-'));
let problem: Problem;
// 0.3 s of CPU per input: over the 0.1 s first limit, under the 1 s reference limit
const SLOW = '    import time\n    t = time.process_time()\n    while time.process_time() - t < 0.3:\n        pass\n    return x + 1\n';
const LOOP = '    while x > 2:\n        pass\n    return x + 1\n';
const WRONG = '    return x + 2 if x == 3 else x + 1\n';
const CORRECT = '    return x + 1\n';
const CONFIG = { workers: 2, dedupe: false, checkMode: 'fast-check', testTimeoutSeconds: 0.1, referenceFloorSeconds: 1 };

async function statuses(): Promise<Execution[]> {
  const executor = await instantiate<PythonExecutor>(python as never, CONFIG, createTestContext());
  try {
    return await executor.execute(problem, candidates([SLOW, LOOP, WRONG, CORRECT].map((body) => problem.prompt + body)));
  } finally {
    await executor.close?.();
  }
}

test.before(async () => {
  const record = { task_id: 'T/hog', prompt: 'def f(x):\n    """x plus one"""\n', entry_point: 'f', canonical_solution: CORRECT, test: '', contract: '', base_input: [[1], [2]], plus_input: [[3], [4]], atol: 0 };
  writeFileSync(join(tmp, 'p.jsonl'), JSON.stringify(record) + '\n');
  const ds = await instantiate<Dataset>(humaneval as never, { path: join(tmp, 'p.jsonl'), variant: 'plus', plusInputs: true, cacheDir: join(tmp, 'cache') }, createTestContext());
  [problem] = await ds.load();
});
test.after(() => rmSync(tmp, { recursive: true, force: true }));

test('the same verdicts with and without a CPU hog on every core', async () => {
  const quiet = await statuses();
  assert.equal(quiet.map((e) => e.status), ['SUCCESS', 'TIMEOUT', 'WRONG_OUTPUT', 'SUCCESS'], JSON.stringify(quiet.map((e) => e.tests)));
  const hogs: ChildProcess[] = Array.from({ length: availableParallelism() }, () => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
  try {
    const busy = await statuses();
    assert.equal(busy.map((e) => e.status), quiet.map((e) => e.status), JSON.stringify(busy.map((e) => e.tests)));
    assert.equal(busy.map((e) => e.tests.map((t) => t.outcome)), quiet.map((e) => e.tests.map((t) => t.outcome)));
  } finally {
    for (const h of hogs) h.kill('SIGKILL');
  }
});

test.run();
