// The warm-process plumbing both executors share (plugins/executors/sandbox/line-process.ts, problem-mirror.ts), on
// small node scripts instead of a fork-server or a checker: the ready line, answers in order, a torn line dropped,
// the watchdog (running job died and started, the one queued behind it died and not started), a process that dies
// before its ready line (CRUCIBLE_E_EXECUTOR, or CRUCIBLE_E_SANDBOX when launched in bwrap, with its stderr tail),
// and the problem LRU both sides keep.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CrucibleError } from 'crucible-ml';
import { bwrapLaunch, LineProcess, plainLaunch, type LaunchSpec } from '../../../plugins/executors/sandbox/line-process.js';
import { ProblemMirror } from '../../../plugins/executors/sandbox/problem-mirror.js';

class Died extends Error {
  constructor(readonly reason: string, readonly started: boolean) {
    super(`died: ${reason}`);
  }
}

interface Answer { id: number; echo?: unknown }

class Echo extends LineProcess<{ ready: true }, Answer> {
  readonly answers: Answer[] = [];
  private constructor(spec: LaunchSpec) {
    super(spec, { what: 'the test process', plainHint: 'check the test' });
  }

  static async start(spec: LaunchSpec, startTimeoutMs = 10_000): Promise<{ proc: Echo; info: { ready: true } }> {
    const proc = new Echo(spec);
    return { proc, info: await proc.ready(startTimeoutMs) };
  }

  run(line: unknown, watchdogMs: number, data?: Buffer): Promise<Answer> {
    return this.send(() => ({ line, ...(data ? { data } : {}) }), watchdogMs);
  }

  protected override onAnswer(result: Answer): void {
    this.answers.push(result);
  }

  protected died(reason: string, started: boolean): Died {
    return new Died(reason, started);
  }
}

const node = (script: string) => plainLaunch(process.execPath, ['-e', script], { PATH: '/usr/bin:/bin' });

/** Answers each job line with its id; a job {hang: true} is never answered; {torn: true} gets a broken line first. */
const ECHO = `
process.stdout.write(JSON.stringify({ ready: true }) + '\\n');
let buf = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (c) => {
  buf += c;
  let nl;
  while ((nl = buf.indexOf('\\n')) >= 0) {
    const job = JSON.parse(buf.slice(0, nl));
    buf = buf.slice(nl + 1);
    if (job.hang) return;
    if (job.torn) process.stdout.write('{"not json\\n');
    process.stdout.write(JSON.stringify({ id: job.id, echo: job.echo }) + '\\n');
  }
});
process.stdin.on('end', () => process.exit(0));
`;

test('answers come back in order, a torn line is dropped, the data bytes follow their line', async () => {
  const { proc, info } = await Echo.start(node(ECHO));
  try {
    assert.equal(info, { ready: true });
    assert.ok(proc.alive && typeof proc.pid === 'number');
    const answers = await Promise.all([proc.run({ id: 1, echo: 'a' }, 5000), proc.run({ id: 2, torn: true }, 5000), proc.run({ id: 3, echo: [3] }, 5000)]);
    assert.equal(answers.map((a) => a.id), [1, 2, 3]);
    assert.equal(answers[2].echo, [3]);
    assert.equal(proc.answers.map((a) => a.id), [1, 2, 3], 'onAnswer saw each answer');
    assert.is(proc.inFlight, 0);
  } finally {
    proc.kill();
  }
});

test('the watchdog kills a process that stops answering: the running job died (started), the one behind it not started', async () => {
  const { proc } = await Echo.start(node(ECHO));
  const running = proc.run({ id: 1, hang: true }, 300);
  const queued = proc.run({ id: 2 }, 5000);
  const [a, b] = await Promise.allSettled([running, queued]);
  assert.is(a.status, 'rejected');
  assert.is(b.status, 'rejected');
  const [first, second] = [(a as PromiseRejectedResult).reason as Died, (b as PromiseRejectedResult).reason as Died];
  assert.instance(first, Died);
  assert.is(first.started, true);
  assert.match(first.reason, /watchdog/);
  assert.is(second.started, false);
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.is(proc.alive, false, 'killed');
  const late = await proc.run({ id: 3 }, 5000).catch((error: Died) => error);
  assert.instance(late, Died);
  assert.is((late as Died).started, false, 'a job sent to a dead process never started');
});

test('a process that dies before its ready line is a start error naming its stderr; in bwrap it is a sandbox error', async () => {
  const dies = 'process.stderr.write("no namespaces here\\n"); process.exit(3)';
  const plain = await Echo.start(node(dies)).catch((error: unknown) => error);
  assert.instance(plain, CrucibleError);
  assert.is((plain as CrucibleError).code, 'CRUCIBLE_E_EXECUTOR');
  assert.match((plain as Error).message, /the test process \(.* without sandbox\) exited with code 3: no namespaces here/);
  // A stand-in for bwrap: node runs the "bwrap arguments" as its script, and the command after them is never run.
  const sandboxed = await Echo.start(bwrapLaunch(process.execPath, ['-e', dies], '/nonexistent/python3', [], { PATH: '/usr/bin:/bin' })).catch((error: unknown) => error);
  assert.instance(sandboxed, CrucibleError);
  assert.is((sandboxed as CrucibleError).code, 'CRUCIBLE_E_SANDBOX');
  assert.match((sandboxed as Error).message, /bwrap sandbox, \/nonexistent\/python3/);
});

test('a process that never becomes ready is killed at the start timeout', async () => {
  const error = await Echo.start(node('setInterval(() => {}, 1000)'), 300).catch((e: unknown) => e);
  assert.instance(error, CrucibleError);
  assert.match((error as Error).message, /did not become ready in time/);
});

test('the problem mirror keeps the last `slots` problems, least recently used out first', () => {
  const mirror = new ProblemMirror(2);
  assert.equal(['a', 'b', 'a', 'c', 'b', 'a', 'a'].map((key) => mirror.use(key)), [false, false, true, false, false, false, true]);
});

test.run();
