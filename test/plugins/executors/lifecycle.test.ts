// Lifecycle: cancellation kills every child, a killed fork-server is replaced and its in-flight candidate
// reported, close() leaves no process behind, and a missing sandbox under "required" is a coded error.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createTestContext, instantiate } from '../../../core/testing/index.js';
import python, { type PythonExecutor } from '../../../plugins/executors/python/index.js';
import { resolveInterpreter } from '../../../plugins/executors/python/interpreter.js';
import { alive, candidateProcesses, candidates, descendantsOf, problem, sleep } from './helpers.js';

const ONE = ['assert f(1) == 2'];
const LOOP = 'def f(x):\n    while True:\n        pass';

test('cancelling the run kills the fork-servers and their children; execute rejects with CRUCIBLE_E_CANCELLED', async () => {
  const ctx = createTestContext();
  const executor = await instantiate<PythonExecutor>(python as never, { sandbox: 'off', workers: 2, timeoutSeconds: 30, testTimeoutSeconds: 30 }, ctx);
  const pending = executor.execute(problem(ONE), candidates([LOOP, `${LOOP}\nK = 2`, `${LOOP}\nK = 3`])); // distinct programs (a comment alone would be deduped)
  const outcome = pending.then(() => 'resolved', (e: { code?: string }) => e.code);
  let servers: number[] = [];
  for (let i = 0; i < 100 && servers.length < 2; i++) {
    await sleep(20);
    servers = executor.serverPids();
  }
  assert.is(servers.length, 2);
  await sleep(200); // the loops are running in forked children now
  const children = servers.flatMap(descendantsOf);
  assert.ok(children.length >= 4, `children ${children}`); // each server's zygote and the candidate it runs
  const t0 = Date.now();
  ctx.abort();
  assert.is(await outcome, 'CRUCIBLE_E_CANCELLED');
  assert.ok(Date.now() - t0 < 2000);
  await sleep(200);
  for (const pid of [...servers, ...children]) assert.not.ok(alive(pid), `pid ${pid} survived the cancel`);
  const again = await executor.execute(problem(ONE), candidates(['def f(x): return x + 1'])).then(() => 'ran', (e: { code?: string }) => e.code);
  assert.is(again, 'CRUCIBLE_E_CANCELLED');
  await executor.close?.();
});

test('a killed fork-server is replaced; its in-flight candidate is reported as RUNTIME_ERROR, the next ones run', async () => {
  const executor = await instantiate<PythonExecutor>(python as never, { sandbox: 'required', workers: 1, timeoutSeconds: 5, testTimeoutSeconds: 5 });
  await executor.execute(problem(ONE), candidates(['def f(x): return x + 1']));
  const [first] = executor.serverPids();
  const pending = executor.execute(problem(ONE), candidates(['import time\ndef f(x):\n    time.sleep(3)\n    return x + 1', 'def f(x): return x + 1']));
  await sleep(300);
  process.kill(first, 'SIGKILL');
  const [killed, next] = await pending;
  assert.is(killed.status, 'RUNTIME_ERROR');
  assert.match(killed.error ?? '', 'fork-server died');
  assert.is(next.status, 'SUCCESS');
  const [replacement] = executor.serverPids();
  assert.ok(replacement !== undefined && replacement !== first);
  await executor.close?.();
  await sleep(100);
  assert.not.ok(alive(replacement), 'close() ends the fork-servers');
  assert.equal(candidateProcesses(), []);
});

test('sandbox "required" without bubblewrap is CRUCIBLE_E_SANDBOX naming how to install it', async () => {
  const path = process.env.PATH;
  process.env.PATH = '/nonexistent';
  try {
    const error = await instantiate(python as never, { sandbox: 'required' }).then(() => undefined, (e: { code?: string; format?(): string }) => e);
    assert.is(error?.code, 'CRUCIBLE_E_SANDBOX');
    assert.match(error?.format?.() ?? '', 'apt-get install bubblewrap');
  } finally {
    process.env.PATH = path;
  }
});

test('sandbox "auto" without bubblewrap runs unsandboxed and warns once, naming how to install it', async () => {
  const path = process.env.PATH;
  const warnings: string[] = [];
  const base = createTestContext();
  const logger = { ...base.logger, warn: (obj: object | string, msg?: string) => warnings.push(`${msg ?? ''} ${JSON.stringify(obj)}`) };
  const { executable } = await resolveInterpreter(); // found on the real PATH, before hiding bwrap
  process.env.PATH = '/nonexistent';
  try {
    const executor = await instantiate<PythonExecutor>(python as never, { sandbox: 'auto', workers: 1, python: executable }, { ...base, logger });
    const [e] = await executor.execute(problem(ONE), candidates(['def f(x): return x + 1']));
    assert.is(e.status, 'SUCCESS');
    assert.is(executor.describe().sandbox, 'off');
    await executor.close?.();
    const again = await instantiate<PythonExecutor>(python as never, { sandbox: 'auto', workers: 1, python: executable }, { ...base, logger });
    await again.close?.();
  } finally {
    process.env.PATH = path;
  }
  assert.is(warnings.length, 1);
  assert.match(warnings[0], 'apt-get install bubblewrap');
});

test.run();
