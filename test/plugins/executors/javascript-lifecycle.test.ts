// The javascript executor's lifecycle through the shared pool (plugins/executors/sandbox/pool.ts): cancelling the
// run kills its checker and rejects work with CRUCIBLE_E_CANCELLED, and after close() no checker is left and none
// is started again.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createTestContext, instantiate } from '../../../core/testing/index.js';
import javascript, { type JavaScriptExecutor } from '../../../plugins/executors/javascript/index.js';
import { alive, descendantsOf, sleep } from './helpers.js';
import { jsRunAll } from './js-helpers.js';

const ONE = ['console.assert(f(1) === 2)'];
const LOOP = 'const f = (x) => { for (;;) {} }';
const CONFIG = { workers: 1, timeoutSeconds: 30, testTimeoutSeconds: 30 };
const codeOf = (error: { code?: string }) => error.code;

/** The pids (and their descendants) still alive after up to 20 s. */
async function allGone(pids: number[]): Promise<number[]> {
  const living = () => pids.flatMap((pid) => [pid, ...descendantsOf(pid)]).filter(alive);
  for (let i = 0; i < 200 && living().length > 0; i++) await sleep(100);
  return living();
}

test('cancelling the run kills the checker and its candidate process; execute rejects with CRUCIBLE_E_CANCELLED', async () => {
  const ctx = createTestContext();
  const executor = await instantiate<JavaScriptExecutor>(javascript as never, CONFIG, ctx);
  try {
    const outcome = jsRunAll(executor, ONE, [LOOP]).then(() => 'resolved', codeOf);
    // A checker starts (bubblewrap, node, its candidate process) in well under a minute even on a loaded machine.
    let checkers: number[] = [];
    for (let i = 0; i < 600 && checkers.length === 0; i++) {
      await sleep(100);
      checkers = executor.checkerPids();
    }
    assert.is(checkers.length, 1);
    await sleep(300);
    const below = checkers.flatMap(descendantsOf);
    ctx.abort();
    assert.is(await outcome, 'CRUCIBLE_E_CANCELLED');
    // SIGKILL reaches bubblewrap at once; what runs in its PID namespace goes with it, later on a loaded machine.
    const gone = await allGone([...checkers, ...below]);
    assert.equal(gone, [], 'processes that survived the cancel');
    assert.is(await jsRunAll(executor, ONE, ['const f = (x) => x + 1']).then(() => 'ran', codeOf), 'CRUCIBLE_E_CANCELLED');
  } finally {
    await executor.close?.();
  }
});

test('after close no checker is left, and work after close is refused instead of starting a new one', async () => {
  const executor = await instantiate<JavaScriptExecutor>(javascript as never, CONFIG, createTestContext());
  let checkers: number[] = [];
  try {
    const [ok] = await jsRunAll(executor, ONE, ['const f = (x) => x + 1']);
    assert.is(ok.status, 'SUCCESS', JSON.stringify(ok));
    checkers = executor.checkerPids();
    assert.is(checkers.length, 1);
  } finally {
    await executor.close?.();
  }
  assert.equal(await allGone(checkers), [], 'checkers that survived close');
  const late = await jsRunAll(executor, ONE, ['const f = (x) => x + 1']).then(() => 'ran', (error: Error) => error.message);
  assert.match(late, /closed/);
  assert.equal(executor.checkerPids(), []);
});

test.run();
