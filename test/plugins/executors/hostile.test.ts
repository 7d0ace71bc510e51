// Hostile programs under sandbox "required" (CI installs bubblewrap): each ends as a classified execution, and
// afterwards no candidate process survives and nothing was written or deleted outside the sandbox.
// Fork and memory bombs are bounded (a fixed number of forks, a fixed allocation) in case the limits fail.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestContext, instantiate } from '../../../core/testing/index.js';
import type { Execution } from '../../../core/kernel/contract/data.js';
import { packageRoot } from '../../../core/util/package-root.js';
import python, { type PythonExecutor } from '../../../plugins/executors/python/index.js';
import { alive, candidateProcesses, candidates, hostWitness, problem, runAll, type HostWitness } from './helpers.js';

let executor: PythonExecutor;
let host: HostWitness;
const marker = join(tmpdir(), `crucible-hostile-marker-${process.pid}`);
const CONFIG = { sandbox: 'required', workers: 2, timeoutSeconds: 1, testTimeoutSeconds: 0.5, memoryMb: 256, maxProcesses: 8, maxOutputBytes: 1 << 20 };
const ONE = ['assert f(1) == 2'];
const byCode = async (code: string, tests = ONE): Promise<Execution> => (await runAll(executor, tests, [code]))[0];

test.before(async () => {
  executor = await instantiate<PythonExecutor>(python as never, CONFIG, createTestContext());
  host = await hostWitness('crucible-hostile-');
});

test.after(async () => {
  await executor.close?.();
  host.close();
});

test('runs sandboxed, as an unprivileged uid when started as root', async () => {
  const info = executor.describe();
  await byCode('def f(x): return x + 1');
  assert.is(executor.describe().sandbox, 'bwrap');
  if (process.getuid?.() === 0) assert.ok(Number(executor.describe().candidateUid) >= 200_000, `uid ${JSON.stringify(info)}`);
});

test('infinite loops, in Python and in C, end as TIMEOUT', async () => {
  const [py, c, atDefinition] = await runAll(executor, ONE, [
    'def f(x):\n    while True:\n        pass',
    'def f(x):\n    return sum(range(10**12))',
    'while True:\n    pass',
  ]);
  assert.equal([py.status, c.status, atDefinition.status], ['TIMEOUT', 'TIMEOUT', 'TIMEOUT']);
});

test('a SIGTERM-ignoring program is still stopped', async () => {
  const e = await byCode('import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\ndef f(x):\n    while True:\n        pass');
  assert.is(e.status, 'TIMEOUT');
});

test('a bounded fork bomb hits the process limit and leaves no process behind (even children that setsid away)', async () => {
  const code = [
    'import os, time',
    'def f(x):',
    '    made = 0',
    '    for i in range(40):',
    '        try:',
    '            pid = os.fork()',
    '        except OSError:',
    '            break',
    '        if pid == 0:',
    '            os.setsid()',
    '            time.sleep(60)',
    '            os._exit(0)',
    '        made += 1',
    '    return made',
  ].join('\n');
  const e = await byCode(code, ['assert f(1) == 40']);
  if (process.getuid?.() === 0) assert.is(e.status, 'WRONG_OUTPUT', 'fork fails past maxProcesses');
  assert.equal(candidateProcesses(), []);
});

test('a bounded memory bomb gets MemoryError, not the machine', async () => {
  // Touching ~200 MiB before the limit hits takes ~90 ms of CPU on an idle machine but several times that on a
  // loaded one: generous time limits here, so that only the memory limit can decide the verdict.
  const roomy = await instantiate<PythonExecutor>(python as never, { ...CONFIG, timeoutSeconds: 20, testTimeoutSeconds: 10 }, createTestContext());
  const [big, growing] = await roomy.execute(problem(ONE), candidates([
    'def f(x):\n    b = bytearray(2 * 1024 ** 3)\n    return x + 1',
    'def f(x):\n    chunks = []\n    for i in range(64):\n        chunks.append(bytearray(64 * 1024 ** 2))\n    return x + 1',
  ])).finally(() => roomy.close?.());
  assert.equal([big.status, big.error], ['RUNTIME_ERROR', 'MemoryError']);
  assert.equal([growing.status, growing.error], ['RUNTIME_ERROR', 'MemoryError']);
});

test('patching builtins or reaching for the harness cannot turn failing tests into passes', async () => {
  const tests = ['assert f(1) == 2', 'assert f(2) == 3'];
  const [patchedExec, patchedIsinstance, harness] = await runAll(executor, tests, [
    'import builtins\nbuiltins.exec = lambda *a, **k: None\ndef f(x):\n    return 0',
    'import builtins\nbuiltins.isinstance = lambda *a: False\nbuiltins.range = lambda *a: [0, 0]\ndef f(x):\n    return 0',
    'import sys\nsys.modules["crucible_fs_child"].report = lambda *a, **k: None\ndef f(x):\n    return 0',
  ]);
  assert.equal([patchedExec.status, patchedExec.passed], ['WRONG_OUTPUT', 0]);
  assert.equal([patchedIsinstance.status, patchedIsinstance.passed], ['WRONG_OUTPUT', 0]);
  assert.equal([harness.status, harness.error], ['RUNTIME_ERROR', 'KeyError'], 'the harness modules are out of sys.modules');
});

test('os._exit and sys.exit inside a test are that test\'s error; the other tests still run', async () => {
  const tests = ['assert f(1) == 2', 'f(0)', 'assert f(2) == 3'];
  const [osExit, sysExit] = await runAll(executor, tests, [
    'import os\ndef f(x):\n    if x == 0:\n        os._exit(0)\n    return x + 1',
    'import sys\ndef f(x):\n    if x == 0:\n        sys.exit(1)\n    return x + 1',
  ]);
  assert.equal(osExit.tests.map((t) => t.outcome), ['pass', 'error', 'pass']);
  assert.is(osExit.tests[1].error, 'exit(0)');
  assert.is(osExit.status, 'RUNTIME_ERROR');
  assert.equal(sysExit.tests.map((t) => t.outcome), ['pass', 'error', 'pass']);
  assert.is(sysExit.error, 'SystemExit');
});

test('killing the parent fails; the fork-server survives', async () => {
  const before = executor.serverPids();
  const e = await byCode('import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\ndef f(x): return x + 1');
  assert.is(e.status, 'RUNTIME_ERROR');
  assert.is(e.error, 'PermissionError');
  const [ok] = await runAll(executor, ONE, ['def f(x): return x + 1']);
  assert.is(ok.status, 'SUCCESS');
  assert.ok(executor.serverPids().some((pid) => before.includes(pid)), 'same fork-servers');
});

test('files outside the private directory can be neither written nor deleted', async () => {
  const code = [
    'import os',
    'errors = []',
    `for path in [${JSON.stringify(host.canary)}, ${JSON.stringify(join(packageRoot(), 'package.json'))}]:`,
    '    try:',
    '        os.remove(path)',
    '    except OSError as e:',
    '        errors.append(type(e).__name__)',
    `for path in ['/etc/crucible-evil', '/usr/crucible-evil', ${JSON.stringify(marker)}, os.path.expanduser('~/x')]:`,
    '    try:',
    "        open(path, 'w').write('evil')",
    '    except OSError as e:',
    '        errors.append(type(e).__name__)',
    "open('inside.txt', 'w').write('fine')",
    'def f(x): return errors',
  ].join('\n');
  const e = await byCode(code, ['assert len(f(0)) == 4, f(0)', "assert open('inside.txt').read() == 'fine'"]);
  assert.equal(e.tests.map((t) => t.outcome), ['pass', 'pass'], JSON.stringify(e));
  assert.ok(existsSync(host.canary));
  assert.ok(existsSync(join(packageRoot(), 'package.json')));
  assert.not.ok(existsSync('/etc/crucible-evil'));
  assert.not.ok(existsSync(marker), 'the sandbox /tmp is private');
});

test('the project and the home folder are invisible', async () => {
  const code = `import os\ndef f(x):\n    return [os.path.exists(p) for p in (${JSON.stringify(packageRoot())}, ${JSON.stringify(host.dir)}, '/root/.bash_history')]`;
  const e = await byCode(code, ['assert f(0) == [False, False, False]']);
  assert.is(e.status, 'SUCCESS', JSON.stringify(e));
});

test('network connections fail', async () => {
  const e = await byCode(`import socket\ndef f(x):\n    socket.create_connection(('127.0.0.1', ${host.port}), timeout=0.5)\n    return x + 1`);
  assert.is(e.status, 'RUNTIME_ERROR');
  assert.ok(['ConnectionRefusedError', 'OSError', 'TimeoutError'].includes(e.error ?? ''), e.error);
  assert.is(host.connections(), 0);
});

test('printing gigabytes is stopped by the output limit', async () => {
  const e = await byCode("def f(x):\n    while True:\n        print('x' * 1000000)");
  assert.is(e.status, 'RUNTIME_ERROR');
  assert.is(e.error, 'output');
});

test('deep recursion: RecursionError, and a C-stack overflow is a recorded signal', async () => {
  const [plain, unlimited] = await runAll(executor, ONE, [
    'def f(x):\n    return f(x + 1)',
    'import sys\nsys.setrecursionlimit(10**8)\ndef f(x):\n    return f(x + 1)',
  ]);
  assert.equal([plain.status, plain.error], ['RUNTIME_ERROR', 'RecursionError']);
  assert.ok(unlimited.status === 'TIMEOUT' || ['SIGSEGV', 'MemoryError', 'RecursionError'].includes(unlimited.error ?? ''), unlimited.error);
});

test('reading stdin ends at once (EOF)', async () => {
  const [line, all] = await runAll(executor, ONE, [
    'def f(x):\n    return int(input()) + x',
    'import sys\ndef f(x):\n    return len(sys.stdin.read()) + x + 1',
  ]);
  assert.equal([line.status, line.error], ['RUNTIME_ERROR', 'EOFError']);
  assert.is(all.status, 'SUCCESS');
});

test('tampering with the harness channel or its helpers ends as a classified execution', async () => {
  const tests = ['assert f(1) == 2', 'assert f(2) == 3'];
  const [closed, patched] = await runAll(executor, tests, [
    'import os\ndef f(x):\n    os.close(3)\n    return x + 1',
    'import os, json, time\nos.write = lambda *a: 0\njson.dumps = lambda *a, **k: "{}"\ntime.process_time = lambda: 0.0\ndef f(x): return x + 1',
  ]);
  assert.is(closed.status, 'RUNTIME_ERROR');
  assert.is(patched.status, 'SUCCESS');
  const [ok] = await runAll(executor, ONE, ['def f(x): return x + 1']);
  assert.is(ok.status, 'SUCCESS', 'the fork-server is unharmed');
});

test('after the batch: no candidate process left, fork-servers alive, nothing new outside', async () => {
  assert.equal(candidateProcesses(), []);
  for (const pid of executor.serverPids()) assert.ok(alive(pid));
  assert.not.ok(existsSync(marker));
});

test.run();
