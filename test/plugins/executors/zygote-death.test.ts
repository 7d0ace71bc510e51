// The zygote (py/crucible_fs_zygote.py) dies: killed between jobs, killed while a job runs, or attacked by a
// hostile candidate. Real fork-servers, no mocks; sandbox "off" and, where bubblewrap works, "required". What must
// hold: no execution is SUCCESS unless its program really passed, none is lost, a server whose zygote is gone is
// replaced, and the jobs after it get their true verdicts.
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { instantiate } from '../../../core/testing/index.js';
import python, { type PythonExecutor } from '../../../plugins/executors/python/index.js';
import { alive, candidates, descendantsOf, problem, sleep } from './helpers.js';

const TESTS = ['assert f(1) == 2', 'assert f(2) == 3', 'assert f(5) == 6'];
const RIGHT = 'def f(x):\n    return x + 1';
const WRONG = 'def f(x):\n    return x + 2';
/** Right, but slow: ~1.5 s of sleeping in its first test. */
const SLOW_RIGHT = 'import time\ndef f(x):\n    if x == 1:\n        time.sleep(1.5)\n    return x + 1';
/** Right on its first test (after ~1.5 s), then its process ends on the second: the third needs a fresh process. */
const DIES_AFTER_FIRST = 'import os, time\ndef f(x):\n    if x == 1:\n        time.sleep(1.5)\n    if x == 2:\n        os._exit(3)\n    return x + 1';

const bwrapWorks = (() => {
  try {
    execFileSync('bwrap', ['--ro-bind', '/', '/', '--unshare-pid', '--unshare-net', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const MODES = bwrapWorks ? (['off', 'required'] as const) : (['off'] as const);

function status(pid: number): { uid: number; ppid: number; comm: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    return { uid: Number(/^Uid:\s+(\d+)/m.exec(text)?.[1]), ppid: Number(/^PPid:\s+(\d+)/m.exec(text)?.[1]), comm: /^Name:\s+(.*)$/m.exec(text)?.[1] ?? '' };
  } catch {
    return undefined;
  }
}

/** The zygote of the fork-server `server` (in the sandbox, the server's pid is bwrap's): a root python process whose
 * parent is python too (the fork-server's other children, the candidates, run under their own uids). */
function zygoteOf(server: number): number {
  const found = descendantsOf(server).filter((pid) => {
    const s = status(pid);
    return s && s.uid === 0 && s.comm.startsWith('python') && status(s.ppid)?.comm.startsWith('python');
  });
  assert.is(found.length, 1, `one zygote under ${server}: ${found}`);
  return found[0];
}

async function waitGone(pid: number) {
  for (let i = 0; i < 100 && alive(pid); i++) await sleep(20);
  assert.not.ok(alive(pid), `pid ${pid} still alive`);
}

/** Waits until a candidate's process (a python process under a candidate uid) runs under `server`. */
async function candidateRunning(server: number) {
  const running = () => descendantsOf(server).some((pid) => {
    const s = status(pid);
    return s !== undefined && s.uid !== 0 && s.comm.startsWith('python');
  });
  for (let i = 0; i < 250 && !running(); i++) await sleep(20);
  assert.ok(running(), 'a candidate process started');
}

/** A hostile candidate: at definition and on each call it signals its parent's other children (the zygote), their
 * process groups, its parent and the parent's group, and every other process it can see, and writes what each attempt
 * gave to stderr. `answer` is what f returns. */
const hostile = (answer: string) => `import os, signal, sys
def attack():
    me, pp = os.getpid(), os.getppid()
    notes, kids = [], []
    try:
        for t in os.listdir('/proc/%d/task' % pp):
            with open('/proc/%d/task/%s/children' % (pp, t)) as fh:
                kids += [int(k) for k in fh.read().split()]
        notes.append('children-file:ok')
    except Exception as e:
        notes.append('children-file:%s' % type(e).__name__)
    others = []
    for p in os.listdir('/proc'):
        if p.isdigit() and int(p) != me:
            try:
                with open('/proc/%s/stat' % p) as fh:
                    ppid = int(fh.read().rsplit(')', 1)[1].split()[1])
                (kids if ppid == pp else others).append(int(p))
            except Exception:
                pass
    kids = sorted(set(kids) - {me})
    notes.append('siblings:%d' % len(kids))
    def attempt(what, fn):
        try:
            fn()
            notes.append('%s:done' % what)
        except Exception as e:
            notes.append('%s:%s' % (what, type(e).__name__))
    for k in kids:
        attempt('sibling-stop', lambda: os.kill(k, signal.SIGSTOP))
        attempt('sibling-kill', lambda: os.kill(k, signal.SIGKILL))
        attempt('sibling-group', lambda: os.killpg(os.getpgid(k), signal.SIGKILL))
    attempt('parent-kill', lambda: os.kill(pp, signal.SIGKILL))
    attempt('parent-group', lambda: os.killpg(os.getpgid(pp), signal.SIGKILL))
    hits = 0
    for p in others:
        if os.getpgid(0) == p:
            continue
        try:
            os.kill(p, signal.SIGKILL)
            hits += 1
        except Exception:
            pass
    notes.append('others-killed:%d' % hits)
    sys.stderr.write('ATTACK ' + ' '.join(notes) + '\\n')
    sys.stderr.flush()
attack()
def f(x):
    attack()
    return ${answer}
`;

for (const sandbox of MODES) {
  test(`[${sandbox}] zygote killed between jobs: the next jobs get their true verdicts, the server is replaced`, async () => {
    const executor = await instantiate<PythonExecutor>(python as never, { sandbox, workers: 1, dedupe: false });
    try {
      const [warm] = await executor.execute(problem(TESTS), candidates([RIGHT]));
      assert.is(warm.status, 'SUCCESS');
      const [server] = executor.serverPids();
      const zygote = zygoteOf(server);
      process.kill(zygote, 'SIGKILL');
      await waitGone(zygote);
      const got = await executor.execute(problem(TESTS), candidates([RIGHT, WRONG, RIGHT, WRONG]));
      assert.equal(got.map((e) => e.status), ['SUCCESS', 'WRONG_OUTPUT', 'SUCCESS', 'WRONG_OUTPUT']);
      const [replacement] = executor.serverPids();
      assert.ok(replacement !== undefined && replacement !== server, 'the server whose zygote died is replaced');
      assert.ok(alive(zygoteOf(replacement)));
    } finally {
      await executor.close?.();
    }
  });

  // The candidate in flight keeps its process (a child of the fork-server, not of the zygote): while that process
  // lives its tests are real, so a program that passes them in that one process is SUCCESS. A test that needs a new
  // process after the zygote died is the harness's error, named as such, never a pass. The server then retires, and
  // the job queued behind the in-flight one runs on its replacement.
  for (const [label, inFlight, expected] of [
    ['passes in its one process', SLOW_RIGHT, { status: 'SUCCESS', passed: 3 }],
    ['needs a new process after the death', DIES_AFTER_FIRST, { status: 'RUNTIME_ERROR', passed: 1 }],
  ] as const) {
    test(`[${sandbox}] zygote killed while a job runs (in flight: ${label}): no false SUCCESS, nothing lost, the next jobs work`, async () => {
      const executor = await instantiate<PythonExecutor>(python as never, { sandbox, workers: 1, dedupe: false, timeoutSeconds: 10, testTimeoutSeconds: 5 });
      try {
        await executor.execute(problem(TESTS), candidates([RIGHT]));
        const [server] = executor.serverPids();
        const zygote = zygoteOf(server);
        const pending = executor.execute(problem(TESTS), candidates([inFlight, RIGHT, WRONG, RIGHT]));
        await candidateRunning(server); // it sleeps ~1.5 s in its first test; the second is queued in the same server
        await sleep(200);
        process.kill(zygote, 'SIGKILL');
        const got = await pending;
        assert.is(got.length, 4);
        assert.equal({ status: got[0].status, passed: got[0].passed }, expected);
        if (inFlight === DIES_AFTER_FIRST) {
          assert.equal(got[0].tests.map((t) => t.outcome), ['pass', 'error', 'error']);
          assert.is(got[0].tests[1].error, 'exit(3)');
          assert.match(got[0].tests[2].error ?? '', /^harness:candidate process: the zygote has ended/);
        }
        assert.equal(got.slice(1).map((e) => e.status), ['SUCCESS', 'WRONG_OUTPUT', 'SUCCESS']);
        const [replacement] = executor.serverPids();
        assert.ok(replacement !== undefined && replacement !== server, 'the server whose zygote died is replaced');
        const [next] = await executor.execute(problem(TESTS), candidates([RIGHT]));
        assert.is(next.status, 'SUCCESS');
      } finally {
        await executor.close?.();
      }
    });
  }

  // A candidate runs under its own unprivileged uid (crucible runs as root here); the zygote and the fork-server run as
  // root. It can see the zygote (its sibling: the zygote started it with CLONE_PARENT), but no signal reaches it.
  test(`[${sandbox}] a hostile candidate cannot stop or kill its zygote, its server or another candidate`, async () => {
    const executor = await instantiate<PythonExecutor>(python as never, { sandbox, workers: 2, dedupe: false });
    try {
      await executor.execute(problem(TESTS), candidates([RIGHT, RIGHT])); // both servers up
      const servers = executor.serverPids();
      assert.is(servers.length, 2);
      const zygotes = servers.map(zygoteOf);
      const codes = [hostile('x + 1'), RIGHT, WRONG, hostile('x + 2'), SLOW_RIGHT, RIGHT, hostile('x + 1'), WRONG];
      const got = await executor.execute(problem(TESTS), candidates(codes));
      assert.equal(got.map((e) => e.status), ['SUCCESS', 'SUCCESS', 'WRONG_OUTPUT', 'WRONG_OUTPUT', 'SUCCESS', 'SUCCESS', 'SUCCESS', 'WRONG_OUTPUT']);
      for (const i of [0, 3, 6]) {
        const line = /ATTACK .*/.exec(got[i].stderr ?? '')?.[0] ?? '';
        assert.match(line, 'siblings:1', `it sees the zygote: ${line}`);
        for (const what of ['sibling-stop', 'sibling-kill', 'parent-kill']) assert.match(line, `${what}:PermissionError`, line);
        // killpg() of a group none of whose members it may signal is EPERM, except in the sandbox's pid namespace,
        // where the server's group is 1: killpg(1) is kill(-1), which answers 0 even when it reached nothing. Whether
        // anything was reached is what follows: every verdict, server and zygote as it was.
        assert.match(line, 'others-killed:0');
      }
      assert.equal(executor.serverPids(), servers, 'no server was replaced');
      for (const z of zygotes) assert.ok(alive(z), `zygote ${z} survived`);
    } finally {
      await executor.close?.();
    }
  });
}

// Without root, candidates get no uid of their own: they share the uid of the fork-server and the zygote (in the
// sandbox too, through bubblewrap's user namespace), so a candidate can kill its zygote. It gains nothing: it keeps
// its running process, a later process of its own is the harness's error, and the candidates queued behind it get
// their true verdicts on the fresh server (before, the next one was "fork-server died": RUNTIME_ERROR for a right
// program). Run as nobody through runuser, where this process is root and nobody can read the project.
const script = fileURLToPath(new URL('./zygote-death-unprivileged.ts', import.meta.url));
const asNobody = (args: string[]) => ['-u', 'nobody', '--', 'env', 'HOME=/tmp', ...args];
const canRunAsNobody = (() => {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('runuser', asNobody(['test', '-r', script]), { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

test('unprivileged: a candidate that kills its own zygote changes no other verdict and gains nothing', async () => {
  if (!canRunAsNobody) {
    console.log('  (skipped: needs root, runuser, and a project that the user nobody can read)');
    return;
  }
  const { stdout } = await promisify(execFile)('runuser', asNobody([process.execPath, '--import', 'tsx', script, ...MODES]), { cwd: process.cwd(), timeout: 120_000 });
  const runs = stdout.trim().split('\n').map((line) => JSON.parse(line) as { sandbox: string; uid: number; executions: Array<{ status: string; passed: number; errors: Array<string | null>; stderr: string }> });
  assert.equal(runs.map((r) => r.sandbox), [...MODES]);
  for (const { sandbox, uid, executions } of runs) {
    assert.is.not(uid, 0);
    const [dies, right, killerRight, wrong, last] = executions;
    assert.match(dies.stderr, /^killed \d+$/m, `[${sandbox}] it could kill its zygote: ${dies.stderr}`);
    assert.match(killerRight.stderr, /^killed \d+$/m, `[${sandbox}] the next server's zygote too: ${killerRight.stderr}`);
    assert.equal([dies.status, dies.passed], ['RUNTIME_ERROR', 1], sandbox);
    assert.equal(dies.errors.slice(1), ['exit(3)', 'harness:candidate process: the zygote has ended'], sandbox);
    assert.equal([killerRight.status, killerRight.passed], ['SUCCESS', 3], `[${sandbox}] it really passed: its process lived`);
    assert.equal([right.status, wrong.status, last.status], ['SUCCESS', 'WRONG_OUTPUT', 'SUCCESS'], sandbox);
  }
});

test.run();
