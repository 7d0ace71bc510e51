// One checker process (runtime/checker.mjs), seen from crucible: its jobs on the wire (a problem's tests travel once,
// then by key), its ready line and its death. Starting it, the JSON lines, the watchdog and the kill are the shared
// ../sandbox/line-process.ts. The checker runs the tests and owns the candidate process; its stdout is the report
// channel, which no candidate code can reach.
import { LineProcess, type LaunchSpec } from '../sandbox/line-process.js';
import { ProblemMirror } from '../sandbox/problem-mirror.js';

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

/** Problems a checker keeps compiled; both sides see the same job stream, so their LRU lists stay identical. */
export const PROBLEM_SLOTS = 8;

export class CheckerProcess extends LineProcess<CheckerInfo, RawResult> {
  private readonly problems = new ProblemMirror(PROBLEM_SLOTS);

  private constructor(spec: LaunchSpec) {
    super(spec, {
      what: 'the JavaScript checker',
      plainHint: 'check that node can run the runtime folder (plugins/executors/javascript/runtime) and that vm2 is installed',
    });
  }

  static async start(spec: LaunchSpec, startTimeoutMs = 60_000): Promise<{ checker: CheckerProcess; info: CheckerInfo }> {
    const checker = new CheckerProcess(spec);
    return { checker, info: await checker.ready(startTimeoutMs) };
  }

  run(job: CheckerJob, watchdogMs: number): Promise<RawResult> {
    return this.send(() => ({ line: this.wire(job) }), watchdogMs);
  }

  private wire(job: CheckerJob): Record<string, unknown> {
    const { problem, ...rest } = job;
    const { key, ...body } = problem;
    return this.problems.use(key) ? { ...rest, p: key } : { ...rest, p: key, problem: body };
  }

  protected died(reason: string, started: boolean): CheckerDied {
    return new CheckerDied(reason, started);
  }

  /** Resolves once the process has exited (close() waits for it rather than its whole grace time). */
  exitedPromise(): Promise<void> {
    return this.whenExited();
  }
}
