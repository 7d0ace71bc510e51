// One warm Python fork-server process: starts it (directly or inside bubblewrap), sends it one job at a time,
// and notices its death. The Python side (fork_server.py) forks a child per candidate and enforces the limits.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { CrucibleError } from 'crucible-ml';

/** A problem's test code, sent to each fork-server once and then referred to by key (the server compiles it once). */
export interface ServerProblem {
  key: string;
  setup: string | null;
  tests: string[];
  /** Trusted data the server plans the tests' isolation from (crucible_fs_plan.py): never the candidate. */
  entry: string;
  prompt: string;
  /** The canonical solution as a whole program, when the problem has one. */
  canonical: string | null;
  /** Trusted test data (Problem.testData): its bytes follow the job's line the first time a server sees the problem. */
  data: { file: string; read(): Buffer } | null;
}

/** How a data problem's inputs are checked and timed (crucible_fs_plus.py). */
export interface PlusParams {
  mode: 'graded' | 'fast-check';
  /** Reference limit per input: max(floor, factor x canonical CPU seconds). */
  floor: number;
  factor: number;
  /** First, cheaper limit per input: max(first, factor x canonical), confirmed at the reference limit. */
  first: number;
}

export interface ServerJob {
  id: number;
  code: string;
  problem: ServerProblem;
  /** CPU seconds for the whole program (a blocked program is stopped at 3x this in wall time). */
  timeout: number;
  /** CPU seconds per test case, one entry per test. */
  testTimeouts: number[];
  /** Per-test limits once a test has timed out (a confirmation run: only the first timeout needs the long limit). */
  afterTimeout?: number[];
  /** For problems with test data. */
  plus?: PlusParams;
}

export interface RawTest {
  o: 'pass' | 'fail' | 'error' | 'timeout' | 'skipped';
  t: string | null;
  /** A timeout confirmed at the reference limit after the first limit. */
  confirmed?: boolean;
  ms?: number;
  /** CPU seconds the test took (for tests that ran to the end). */
  cpu?: number;
  /** For a timeout: the CPU seconds allowed. */
  lim?: number;
}

export interface RawResult {
  id: number;
  /** Compilation failed with this exception type; nothing ran. */
  syntax?: string;
  /** Defining the candidate or running the test setup failed: every test shares this outcome. */
  fatal?: { phase: 'define' | 'setup' | 'harness'; o: 'fail' | 'error' | 'timeout'; t: string };
  tests: Array<RawTest | null>;
  ms: number;
  stderr?: string;
  programTimeout?: boolean;
  /** Where the tests ran: the trusted checker, or the candidate's own process (the recorded fallback). */
  isolation?: 'checker' | 'in-process';
  /** What the candidate left could not be removed: the server ends after this answer and is replaced. */
  cleanupFailed?: string;
  /** For data problems: how the inputs were checked. */
  mode?: 'graded' | 'fast-check';
}

export interface LaunchSpec {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Describes the launch in errors ("bwrap sandbox", "python3.11 without sandbox"). */
  label: string;
}

export interface ServerInfo {
  /** false: the server refuses to run candidates (as root without a uid for them: see uidProblem). */
  ready: boolean;
  /** The uid candidates run as, when the server could drop root for them. */
  uid: number | null;
  /** Why candidates could not get an unprivileged uid (the server then refuses). */
  uidProblem?: string;
  /** Whether the server runs as root (inside bubblewrap: root of its namespace). */
  root?: boolean;
  python: string;
  pid: number;
}

/** The fork-server died or stopped answering while a job was in flight. */
export class ServerDied extends Error {
  /** `started` is false for a job that was queued behind the one running: it can simply run elsewhere. */
  constructor(readonly reason: string, readonly started = true) {
    super(`fork-server died: ${reason}`);
  }
}

interface Pending {
  resolve(r: RawResult): void;
  reject(e: Error): void;
  watchdogMs: number;
}

const STDERR_KEEP = 4000;
/**
 * Problems a server keeps compiled. Small on purpose: everything the server holds is copied into every fork, so a
 * large cache makes each candidate slower. The server gets this number in its init object (`problemSlots`): both
 * sides see the same ordered stream of jobs, so their least-recently-used lists stay identical.
 */
export const PROBLEM_SLOTS = 4;

export class ForkServer {
  private out = '';
  private errTail = '';
  /** Jobs written to the server, oldest (running) first; the next one waits in its stdin so it starts at once. */
  private readonly pending: Pending[] = [];
  private timer?: NodeJS.Timeout;
  private exited?: string;
  private readyWaiter?: { resolve(info: ServerInfo): void; reject(e: Error): void };
  /** Keys of the problems the server holds, least recently used first (mirrors the server's own list). */
  private readonly problems: string[] = [];
  /** The server said it ends after its last answer (a failed cleanup): jobs still queued in it never started. */
  private retiring = false;

  private constructor(private readonly child: ChildProcessWithoutNullStreams, private readonly spec: LaunchSpec) {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => this.onData(chunk));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      this.errTail = (this.errTail + chunk).slice(-STDERR_KEEP);
    });
    child.stdin.on('error', () => undefined); // EPIPE when it died: reported through 'exit'
    child.on('error', (error) => this.onExit(`cannot start ${spec.command}: ${error.message}`));
    child.on('exit', (code, signal) => this.onExit(signal ? `killed by ${signal}` : `exited with code ${code}`));
  }

  /** Starts a server and waits for its ready line; a CRUCIBLE_E_SANDBOX / _EXECUTOR error when it cannot start. */
  static async start(spec: LaunchSpec, startTimeoutMs = 30_000): Promise<{ server: ForkServer; info: ServerInfo }> {
    const child = spawn(spec.command, spec.args, { stdio: 'pipe', detached: true, env: spec.env });
    const server = new ForkServer(child, spec);
    const info = await new Promise<ServerInfo>((resolve, reject) => {
      const timer = setTimeout(() => {
        server.kill();
        reject(server.startError('did not become ready in time'));
      }, startTimeoutMs);
      server.readyWaiter = {
        resolve: (i) => { clearTimeout(timer); resolve(i); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      };
    });
    return { server, info };
  }

  get alive(): boolean {
    return this.exited === undefined;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Jobs written and not yet answered. */
  get inFlight(): number {
    return this.pending.length;
  }

  /**
   * Runs one job (several may be queued: they run one after the other); rejects with ServerDied when the
   * server dies or misses `watchdogMs` on the running job.
   */
  run(job: ServerJob, watchdogMs: number): Promise<RawResult> {
    if (this.exited !== undefined) return Promise.reject(new ServerDied(this.exited, false));
    return new Promise<RawResult>((resolve, reject) => {
      this.pending.push({ resolve, reject, watchdogMs });
      if (this.pending.length === 1) this.arm();
      const { line, data } = this.wire(job);
      this.child.stdin.write(JSON.stringify(line) + '\n');
      if (data) this.child.stdin.write(data);
    });
  }

  /** The job as written: the problem's tests travel only when the server does not hold them already. */
  private wire(job: ServerJob): { line: Record<string, unknown>; data?: Buffer } {
    const { problem, ...rest } = job;
    const held = this.problems.indexOf(problem.key);
    if (held >= 0) this.problems.splice(held, 1);
    else if (this.problems.length >= PROBLEM_SLOTS) this.problems.shift();
    this.problems.push(problem.key);
    if (held >= 0) return { line: { ...rest, p: problem.key } };
    const line = { ...rest, p: problem.key, setup: problem.setup, tests: problem.tests, entry: problem.entry, prompt: problem.prompt, canonical: problem.canonical };
    if (!problem.data) return { line };
    const data = problem.data.read();
    return { line: { ...line, dataBytes: data.length }, data };
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

  /** Kills the server and everything in its process group (bwrap's pid namespace takes the rest). */
  kill(): void {
    const pid = this.child.pid;
    if (pid === undefined || this.exited !== undefined) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      this.child.kill('SIGKILL');
    }
  }

  /** Closes stdin: the server exits after its current job. */
  end(): void {
    this.child.stdin.end();
  }

  private startError(reason: string): CrucibleError {
    const tail = this.errTail.trim().split('\n').slice(-5).join(' | ');
    const sandboxed = this.spec.label.includes('bwrap');
    return CrucibleError.at(sandboxed ? 'CRUCIBLE_E_SANDBOX' : 'CRUCIBLE_E_EXECUTOR', {
      message: `the Python fork-server (${this.spec.label}) ${reason}${tail ? `: ${tail}` : ''}`,
      path: 'stages.executor.config.sandbox',
      hint: sandboxed
        ? 'bubblewrap could not create its namespaces here; allow unprivileged user namespaces or set sandbox to "off"'
        : 'check the "python" option',
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
        continue; // nothing else writes to this pipe; ignore a torn line rather than crash
      }
      if (this.readyWaiter) {
        const waiter = this.readyWaiter;
        this.readyWaiter = undefined;
        waiter.resolve(message as ServerInfo);
      } else {
        const head = this.pending.shift();
        if ((message as RawResult).cleanupFailed) this.retiring = true;
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

  /** The running job gets ServerDied(started); the ones queued behind it get ServerDied(not started). */
  private fail(reason: string): void {
    clearTimeout(this.timer);
    const [head, ...rest] = this.pending.splice(0);
    head?.reject(new ServerDied(reason, !this.retiring));
    for (const p of rest) p.reject(new ServerDied(reason, false));
  }
}
