// Run by zygote-death.test.ts as an unprivileged user (runuser): crucible without root gives candidates no uid of their
// own, so a candidate shares the uid of its fork-server and zygote and can kill the zygote. Runs a hostile batch per
// sandbox mode named in argv and prints one JSON line per mode: each execution's status, passed count, first error
// and what the candidate wrote to stderr.
import { instantiate } from '../../../core/testing/index.js';
import python, { type PythonExecutor } from '../../../plugins/executors/python/index.js';
import { candidates, problem } from './helpers.js';

export const TESTS = ['assert f(1) == 2', 'assert f(2) == 3', 'assert f(5) == 6'];
/** Kills its zygote (its parent's other child) while defining itself; `body` is f's body. */
const killer = (body: string) => `import os, signal, sys
pp = os.getppid()
kids = []
for t in os.listdir('/proc/%d/task' % pp):
    with open('/proc/%d/task/%s/children' % (pp, t)) as fh:
        kids += [int(k) for k in fh.read().split()]
for k in kids:
    if k != os.getpid():
        try:
            os.kill(k, signal.SIGKILL)
            sys.stderr.write('killed %d\\n' % k)
        except OSError as e:
            sys.stderr.write('%d: %s\\n' % (k, type(e).__name__))
def f(x):
${body}
`;
const RIGHT = 'def f(x):\n    return x + 1';
const WRONG = 'def f(x):\n    return x + 2';
/** Right, but its process ends on the second test: the third needs a new process, after it killed the zygote. */
export const KILLER_DIES = killer('    if x == 2:\n        os._exit(3)\n    return x + 1');
export const KILLER_RIGHT = killer('    return x + 1');
export const BATCH = [KILLER_DIES, RIGHT, KILLER_RIGHT, WRONG, RIGHT];

export async function runBatch(sandbox: string) {
  const executor = await instantiate<PythonExecutor>(python as never, { sandbox, workers: 1, dedupe: false });
  try {
    const got = await executor.execute(problem(TESTS), candidates(BATCH));
    return got.map((e) => ({ status: e.status, passed: e.passed, errors: e.tests.map((t) => t.error ?? null), stderr: e.stderr ?? '' }));
  } finally {
    await executor.close?.();
  }
}

if (process.argv[1]?.endsWith('zygote-death-unprivileged.ts')) {
  for (const sandbox of process.argv.slice(2)) console.log(JSON.stringify({ sandbox, uid: process.getuid?.(), executions: await runBatch(sandbox) }));
}
