// One warm Python fork-server process, seen from crucible: its jobs on the wire (a problem's tests and test data
// travel once, then by key), its ready line, and its death (a failed cleanup retires it). Starting it, the JSON
// lines, the watchdog and the kill are the shared ../sandbox/line-process.ts. The Python side (fork_server.py) starts
// a process per candidate and enforces the limits.
import { LineProcess, type LaunchSpec } from '../sandbox/line-process.js';
import { ProblemMirror } from '../sandbox/problem-mirror.js';

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
  /** The server ends after this answer (its zygote died during the job): the jobs queued behind it never start there. */
  retiring?: string;
  /** The server could not start this job's candidate at all (its zygote was gone): nothing of the candidate ran, and
   * the server ends after this answer. run() turns it into ServerDied(reason, started = false): the job runs elsewhere. */
  unstarted?: string;
  /** For data problems: how the inputs were checked. */
  mode?: 'graded' | 'fast-check';
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

/**
 * Problems a server keeps compiled. Small on purpose: everything the server holds is copied into every fork, so a
 * large cache makes each candidate slower. The server gets this number in its init object (`problemSlots`): both
 * sides see the same ordered stream of jobs, so their least-recently-used lists stay identical.
 */
export const PROBLEM_SLOTS = 4;

/** Jobs a server answered as not started (its zygote was gone): they run elsewhere once. */
const unstartedOnce = new WeakSet<ServerJob>();

export class ForkServer extends LineProcess<ServerInfo, RawResult> {
  /** Keys of the problems the server holds (mirrors the server's own list). */
  private readonly problems = new ProblemMirror(PROBLEM_SLOTS);
  /** The server said it ends after its last answer (a failed cleanup, its zygote gone): jobs still queued in it never started. */
  private retiring = false;

  private constructor(spec: LaunchSpec) {
    super(spec, { what: 'the Python fork-server', plainHint: 'check the "python" option' });
  }

  /** Starts a server and waits for its ready line; a CRUCIBLE_E_SANDBOX / _EXECUTOR error when it cannot start. */
  static async start(spec: LaunchSpec, startTimeoutMs = 30_000): Promise<{ server: ForkServer; info: ServerInfo }> {
    const server = new ForkServer(spec);
    return { server, info: await server.ready(startTimeoutMs) };
  }

  /**
   * Runs one job (several may be queued: they run one after the other); rejects with ServerDied when the
   * server dies or misses `watchdogMs` on the running job.
   */
  run(job: ServerJob, watchdogMs: number): Promise<RawResult> {
    return this.send(() => this.wire(job), watchdogMs).then((result) => {
      if (!result.unstarted) return result;
      // Once, the job runs on a fresh server. A fresh server whose zygote is gone too is no passing fault (a zygote
      // that cannot start here): the job then ends as the harness's error rather than go round forever.
      if (!unstartedOnce.has(job)) {
        unstartedOnce.add(job);
        throw new ServerDied(result.unstarted, false);
      }
      return { id: result.id, fatal: { phase: 'harness', o: 'error', t: `${result.unstarted}, twice` }, tests: [], ms: 0 };
    });
  }

  /** The job as written: the problem's tests travel only when the server does not hold them already. */
  private wire(job: ServerJob): { line: Record<string, unknown>; data?: Buffer } {
    const { problem, ...rest } = job;
    if (this.problems.use(problem.key)) return { line: { ...rest, p: problem.key } };
    const line = { ...rest, p: problem.key, setup: problem.setup, tests: problem.tests, entry: problem.entry, prompt: problem.prompt, canonical: problem.canonical };
    if (!problem.data) return { line };
    const data = problem.data.read();
    return { line: { ...line, dataBytes: data.length }, data };
  }

  protected override onAnswer(result: RawResult): void {
    if (result.cleanupFailed || result.retiring || result.unstarted) this.retiring = true;
  }

  /** The running job gets ServerDied(started) unless the server was retiring; the ones queued behind it, not started. */
  protected died(reason: string, started: boolean): ServerDied {
    return new ServerDied(reason, started && !this.retiring);
  }
}
