// One checker process (runtime/checker.mjs), seen from crucible: start it (inside bubblewrap or plain), send it
// jobs as JSON lines, read its answers, and notice its death. The checker runs the tests and owns the candidate
// process; its stdout is the report channel, which no candidate code can reach.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { CrucibleError } from 'crucible-ml';

/** A problem as the checker needs it; its tests travel once per checker and are then named by key. */
export interface CheckerProblem {
  key: string;
  setup: string;
  tests: string[];
  entryPoint: string;
}

export interface CheckerJob {
  id: number;
  code: string;
  problem: CheckerProblem;
  /** CPU milliseconds for the whole program; a blocked program is stopped at about 3x in wall time. */
  timeoutMs: number;
  /** CPU milliseconds per test case. */
  testTimeoutMs: number;
  /** How long the program's pending timers may run after the tests (as a Node process would wait for them). */
  settleMs: number;
}

export interface RawTest {
  o: 'pass' | 'fail' | 'error' | 'timeout';
  t?: string;
  ms?: number;
  /** For a timeout: the CPU seconds the test was allowed. */
  l?: number;
}

export interface RawResult {
  id: number;
  syntax?: string;
  fatal?: { phase: 'define' | 'harness'; o: 'error' | 'timeout'; t?: string };
  tests: RawTest[];
  ms: number;
  stderr?: string;
  /** Timers were still pending when the settle time ran out. */
  unsettled?: boolean;
}

export interface LaunchSpec {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  label: string;
}

export interface CheckerInfo {
  ready: true;
  pid: number;
  /** The uid the candidate process runs as. */
  uid: number | null;
  node: string;
}

/** The checker died or stopped answering with a job in flight. */
export class CheckerDied extends Error {
  constructor(readonly reason: string, readonly started = true) {
    super(`checker died: ${reason}`);
  }
}

interface Pending {
  resolve(r: RawResult): void;
  reject(e: Error): void;
  watchdogMs: number;
}

const STDERR_KEEP = 4000;
/** Problems a checker keeps compiled; both sides see the same job stream, so their LRU lists stay identical. */
export const PROBLEM_SLOTS = 8;

export class CheckerProcess {
  private out = '';
  private errTail = '';
  private readonly pending: Pending[] = [];
  private timer?: NodeJS.Timeout;
  private exited?: string;
  private readyWaiter?: { resolve(info: CheckerInfo): void; reject(e: Error): void };
  private readonly problems: string[] = [];

  private constructor(private readonly child: ChildProcessWithoutNullStreams, private readonly spec: LaunchSpec) {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => this.onData(chunk));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      this.errTail = (this.errTail + chunk).slice(-STDERR_KEEP);
    });
    child.stdin.on('error', () => undefined);
    child.on('error', (error) => this.onExit(`cannot start ${spec.command}: ${error.message}`));
    child.on('exit', (code, signal) => this.onExit(signal ? `killed by ${signal}` : `exited with code ${code}`));
  }

  static async start(spec: LaunchSpec, startTimeoutMs = 60_000): Promise<{ checker: CheckerProcess; info: CheckerInfo }> {
    const child = spawn(spec.command, spec.args, { stdio: 'pipe', detached: true, env: spec.env });
    const checker = new CheckerProcess(child, spec);
    const info = await new Promise<CheckerInfo>((resolve, reject) => {
      const timer = setTimeout(() => {
        checker.kill();
        reject(checker.startError('did not become ready in time'));
      }, startTimeoutMs);
      checker.readyWaiter = {
        resolve: (i) => { clearTimeout(timer); resolve(i); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      };
    });
    return { checker, info };
  }

  get alive(): boolean {
    return this.exited === undefined;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  run(job: CheckerJob, watchdogMs: number): Promise<RawResult> {
    if (this.exited !== undefined) return Promise.reject(new CheckerDied(this.exited, false));
    return new Promise<RawResult>((resolve, reject) => {
      this.pending.push({ resolve, reject, watchdogMs });
      if (this.pending.length === 1) this.arm();
      this.child.stdin.write(JSON.stringify(this.wire(job)) + '\n');
    });
  }

  private wire(job: CheckerJob): Record<string, unknown> {
    const { problem, ...rest } = job;
    const held = this.problems.indexOf(problem.key);
    if (held >= 0) this.problems.splice(held, 1);
    else if (this.problems.length >= PROBLEM_SLOTS) this.problems.shift();
    this.problems.push(problem.key);
    const { key, ...body } = problem;
    return held >= 0 ? { ...rest, p: key } : { ...rest, p: key, problem: body };
  }

  private arm(): void {
    clearTimeout(this.timer);
    const head = this.pending[0];
    if (!head) return;
    this.timer = setTimeout(() => {
      this.kill();
      this.fail(`no answer within ${Math.round(head.watchdogMs / 1000)} s (watchdog)`);
    }, head.watchdogMs);
  }

  /** Kills the checker's process group; bwrap's PID namespace takes its candidate process and anything it started. */
  kill(): void {
    const pid = this.child.pid;
    if (pid === undefined || this.exited !== undefined) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      this.child.kill('SIGKILL');
    }
  }

  /** Closes stdin: the checker kills its candidate process and exits. */
  end(): void {
    this.child.stdin.end();
  }

  /** Resolves once the process has exited. */
  exitedPromise(): Promise<void> {
    if (this.exited !== undefined) return Promise.resolve();
    return new Promise((resolve) => this.child.once('exit', () => resolve()));
  }

  private startError(reason: string): CrucibleError {
    const tail = this.errTail.trim().split('\n').slice(-5).join(' | ');
    const sandboxed = this.spec.label.includes('bwrap');
    return CrucibleError.at(sandboxed ? 'CRUCIBLE_E_SANDBOX' : 'CRUCIBLE_E_EXECUTOR', {
      message: `the JavaScript checker (${this.spec.label}) ${reason}${tail ? `: ${tail}` : ''}`,
      path: 'stages.executor.config.sandbox',
      hint: sandboxed
        ? 'bubblewrap could not create its namespaces here; allow unprivileged user namespaces or set sandbox to "off"'
        : 'check that node can run the runtime folder (plugins/executors/javascript/runtime) and that vm2 is installed',
    });
  }

  private onData(chunk: string): void {
    this.out += chunk;
    let nl: number;
    while ((nl = this.out.indexOf('\n')) >= 0) {
      const line = this.out.slice(0, nl);
      this.out = this.out.slice(nl + 1);
      let message: unknown;
      try {
        message = JSON.parse(line);
      } catch {
        continue; // only the checker writes here; a torn line is dropped rather than crash
      }
      if (this.readyWaiter) {
        const waiter = this.readyWaiter;
        this.readyWaiter = undefined;
        waiter.resolve(message as CheckerInfo);
      } else {
        const head = this.pending.shift();
        this.arm();
        head?.resolve(message as RawResult);
      }
    }
  }

  private onExit(reason: string): void {
    if (this.exited !== undefined) return;
    this.exited = reason;
    if (this.readyWaiter) {
      const waiter = this.readyWaiter;
      this.readyWaiter = undefined;
      waiter.reject(this.startError(reason));
    }
    this.fail(reason);
  }

  private fail(reason: string): void {
    clearTimeout(this.timer);
    const [head, ...rest] = this.pending.splice(0);
    head?.reject(new CheckerDied(reason));
    for (const p of rest) p.reject(new CheckerDied(reason, false));
  }
}
