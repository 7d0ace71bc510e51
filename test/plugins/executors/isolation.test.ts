// Isolation holes, each with a real candidate: IPC objects and /tmp do not outlive a candidate, /tmp is size-capped,
// no host path beyond the interpreter is visible, a pathological working folder is cleaned without recursion (or its
// fork-server replaced and the candidate reported), and with sandbox "off" as root no candidate runs as uid 0: the
// executor drops to an unprivileged uid, or refuses with a coded error when that uid cannot run the interpreter.
import { test } from 'uvu';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { createTestContext, instantiate } from '../../../core/testing/index.js';
import type { Logger } from '../../../core/kernel/contract/context.js';
import python, { type PythonExecutor } from '../../../plugins/executors/python/index.js';
import { resolveInterpreter } from '../../../plugins/executors/python/interpreter.js';
import { candidates, problem } from './helpers.js';

const BASE = { sandbox: 'required', workers: 1, timeoutSeconds: 5, testTimeoutSeconds: 2, dedupe: false };
const ONE = ['assert f(1) == 2'];

async function withExecutor<T>(config: Record<string, unknown>, body: (e: PythonExecutor) => Promise<T>, ctx = createTestContext()): Promise<T> {
  const executor = await instantiate<PythonExecutor>(python as never, { ...BASE, ...config }, ctx);
  try {
    return await body(executor);
  } finally {
    await executor.close?.();
  }
}

const SHM = `import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
def shm(create):
    ident = libc.shmget(0x5eed, 4096, 0o1666 if create else 0o666)
    if ident < 0:
        return None
    addr = libc.shmat(ident, None, 0)
    if create:
        ctypes.memmove(addr, b'secret', 6)
    return ctypes.string_at(addr, 6)
`;

test('System V shared memory written by one candidate is gone for the next one (same fork-server)', async () => {
  await withExecutor({}, async (executor) => {
    const [writer] = await executor.execute(problem(['assert f(1) == b"secret"']), candidates([`${SHM}def f(x):\n    return shm(True)`]));
    const [reader] = await executor.execute(problem(['assert f(1) is None']), candidates([`${SHM}def f(x):\n    return shm(False)`]));
    assert.equal([writer.status, reader.status], ['SUCCESS', 'SUCCESS'], JSON.stringify([writer, reader]));
  });
});

test('the private /tmp is size-capped and emptied between candidates', async () => {
  await withExecutor({ tmpMb: 32 }, async (executor) => {
    const [filler] = await executor.execute(problem(['assert f(1) == "ENOSPC"']), candidates([
      'import errno\ndef f(x):\n    try:\n        for i in range(16):\n            with open("/tmp/big%d" % i, "wb") as out:\n                out.write(b"x" * (4 << 20))\n    except OSError as e:\n        return errno.errorcode[e.errno]\n    return "written"',
    ]));
    const [next] = await executor.execute(problem(['assert f(1) == []']), candidates(['import os\ndef f(x):\n    return [n for n in os.listdir("/tmp") if n != "crucible"]']));
    assert.equal([filler.status, next.status], ['SUCCESS', 'SUCCESS'], JSON.stringify([filler, next]));
  });
});

test('no host path beyond what the interpreter needs: no /etc files but the linker cache, no home, no project', async () => {
  await withExecutor({}, async (executor) => {
    const code = 'import os\ndef f(x):\n    return [p for p in ("/etc/passwd", "/etc/hostname", "/etc/shadow", "/root/.bashrc", "/home", "/work", "/sys/fs") if os.path.exists(p)]';
    const [e] = await executor.execute(problem(['assert f(1) == []']), candidates([code]));
    assert.is(e.status, 'SUCCESS', JSON.stringify(e));
  });
});

test('a 700-deep folder chain is cleaned without recursion; the run and the fork-server go on', async () => {
  await withExecutor({}, async (executor) => {
    await executor.execute(problem(ONE), candidates(['def f(x):\n    return x + 1']));
    const before = executor.serverPids();
    const [deep] = await executor.execute(problem(ONE), candidates(['import os\nos.makedirs(os.path.join(*(["d"] * 700)))\nos.chmod("d", 0o000)\ndef f(x):\n    return x + 1']));
    const [next] = await executor.execute(problem(['assert f(1) == []']), candidates(['import os\ndef f(x):\n    return os.listdir(".")']));
    assert.equal([deep.status, next.status], ['SUCCESS', 'SUCCESS'], JSON.stringify([deep, next]));
    assert.equal(executor.serverPids(), before, 'same fork-server');
  });
});

test('leftovers past the limit: the candidate is reported (RUNTIME_ERROR cleanup) and its fork-server replaced', async () => {
  await withExecutor({ maxLeftoverEntries: 100 }, async (executor) => {
    await executor.execute(problem(ONE), candidates(['def f(x):\n    return x + 1']));
    const before = executor.serverPids();
    const [messy, queued] = await executor.execute(problem(ONE), candidates(['for i in range(300):\n    open("f%d" % i, "w").close()\ndef f(x):\n    return x + 1', 'def f(x):\n    return x + 1']));
    assert.equal([messy.status, messy.error], ['RUNTIME_ERROR', 'cleanup'], JSON.stringify(messy));
    assert.match(messy.stderr ?? '', 'could not be removed');
    assert.is(queued.status, 'SUCCESS', 'the candidate queued behind it ran on a fresh server');
    assert.not.equal(executor.serverPids(), before);
  });
});

test('a candidate\'s processes are held to memoryMb together (children each under the per-process limit)', async () => {
  // Three children of ~250 MB each: every one is within memoryMb alone, together they are not. Bounded: at most
  // ~0.8 GB is ever touched, whatever the limits do.
  const code = [
    'import os, time',
    'def f(x):',
    '    kids = []',
    '    for _ in range(3):',
    '        pid = os.fork()',
    '        if pid == 0:',
    '            block = bytearray(250 * 1024 * 1024)',
    '            time.sleep(20)',
    '            os._exit(0)',
    '        kids.append(pid)',
    '    for pid in kids:',
    '        os.waitpid(pid, 0)',
    '    return x + 1',
  ].join('\n');
  const ctx = createTestContext();
  await withExecutor({ memoryMb: 512, timeoutSeconds: 30, testTimeoutSeconds: 30 }, async (executor) => {
    const [e] = await executor.execute(problem(ONE), candidates([code]));
    assert.equal([e.status, e.error], ['RUNTIME_ERROR', 'memory'], JSON.stringify(e));
    assert.equal(executor.describe().groupLimits, ctx.recorded['executor.groupLimits']);
  }, ctx);
  // The run records how its candidates were held together, and why not by a cgroup (read from this machine).
  const recorded = ctx.recorded['executor.groupLimits'] as { memory: string; processes: string; cgroup: string };
  assert.match(recorded.memory, /process tree/);
  assert.match(recorded.cgroup, /^not used: .*(cgroup v2|cgroup2)|^not used: no cgroup v2/);
  if (process.getuid?.() === 0) assert.match(recorded.processes, /maxProcesses/);
});

test('tests act in the candidate\'s folder with its rights: a planted symlink cannot make a test write as root', async () => {
  if (process.getuid?.() !== 0) return; // only root has rights to lend
  const dir = mkdtempSync(join(tmpdir(), 'crucible-symlink-'));
  const target = join(dir, 'root-only.txt');
  writeFileSync(target, 'keep', { mode: 0o600 });
  try {
    await withExecutor({ sandbox: 'off' }, async (executor) => {
      const code = `import os\nos.symlink(${JSON.stringify(target)}, 'out.txt')\ndef f(x):\n    return x + 1`;
      const [e] = await executor.execute(problem(["open('out.txt', 'w').write('overwritten')", 'assert f(1) == 2']), candidates([code]));
      assert.equal(e.tests.map((t) => [t.outcome, t.error]), [['error', 'PermissionError'], ['pass', undefined]], JSON.stringify(e));
    });
    assert.is(readFileSync(target, 'utf8'), 'keep');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sandbox "off" warns naming what is lost; as root, candidates still never run as uid 0', async () => {
  const warnings: string[] = [];
  const base = createTestContext();
  const logger: Logger = { ...base.logger, warn: (_o: unknown, message?: string) => void warnings.push(String(message)) } as Logger;
  await withExecutor({ sandbox: 'off' }, async (executor) => {
    const [e] = await executor.execute(problem(['assert f(1) != 0, f(1)', 'assert f(2) == False']), candidates(['import os\ndef f(x):\n    return os.getuid() if x == 1 else os.path.exists("/root/.bashrc")']));
    if (process.getuid?.() === 0) {
      assert.equal(e.tests.map((t) => t.outcome), ['pass', 'pass'], JSON.stringify(e));
      assert.ok(Number(executor.describe().candidateUid) > 0);
    }
  }, { ...base, logger });
  assert.ok(warnings.some((w) => w.includes('sandbox "off"') && w.includes('network') && w.includes('host')), warnings.join('\n'));
});

test('sandbox "off" as root with an interpreter no unprivileged uid can read: CRUCIBLE_E_SANDBOX, and nothing runs', async () => {
  if (process.getuid?.() !== 0) return; // the refusal is about root; as another user candidates keep that user's uid
  // A real interpreter in a folder only root can enter: the executor cannot make it reachable for the candidate uid
  // (it re-opens closed ancestors in a private mount namespace, not the folder itself), so it must not run as root.
  const dir = mkdtempSync(join(tmpdir(), 'crucible-closed-'));
  try {
    const source = existsSync('/usr/bin/python3') ? realpathSync('/usr/bin/python3') : (await resolveInterpreter()).executable;
    const bin = join(dir, 'closed', 'bin');
    mkdirSync(bin, { recursive: true });
    copyFileSync(source, join(bin, 'python3'));
    chmodSync(join(bin, 'python3'), 0o755);
    chmodSync(bin, 0o700);
    chmodSync(join(dir, 'closed'), 0o700);
    const marker = join(dir, 'ran');
    chmodSync(dir, 0o777);
    const error = await withExecutor({ sandbox: 'off', python: join(bin, 'python3') }, (executor) =>
      executor.execute(problem(ONE), candidates([`open(${JSON.stringify(marker)}, 'w').write('ran')\ndef f(x):\n    return 2`])).then(
        () => undefined,
        (e: unknown) => e as { code?: string; message: string },
      ));
    assert.ok(error, 'the executor ran a candidate as root instead of refusing');
    assert.is(error!.code, 'CRUCIBLE_E_SANDBOX');
    assert.match(error!.message, /refusing to run candidates as root/);
    assert.ok(error!.message.includes(bin), `the message names the folder the candidate uid cannot read: ${error!.message}`);
    assert.match(error!.message, /bubblewrap|"python"/, 'the message says how to fix it');
    assert.not.ok(existsSync(marker), 'no candidate code ran');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
