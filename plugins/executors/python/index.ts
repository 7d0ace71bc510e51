// python: runs candidates in forked children of warm Python fork-servers (one per worker), inside bubblewrap
// when available, with per-child resource limits, CPU-time limits per program and per test, and full taxonomy.
import { tmpdir } from 'node:os';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { definePlugin, type ConfigOf } from 'crucible-ml';
import type { Candidate, Execution, Problem } from 'crucible-ml';
import type { Executor } from 'crucible-ml';
import type { PluginContext } from 'crucible-ml';
import { CrucibleError } from 'crucible-ml';
import { packageRoot } from 'crucible-ml/util';
import { groupLimits } from './group-limits.js';
import { resolveInterpreter, type Interpreter } from './interpreter.js';
import { serverBwrapArgs, SANDBOX_SERVER_PATH, SANDBOX_WORK_ROOT } from './sandbox.js';
import type { SandboxMode } from '../sandbox/isolation.js';
import { ProcessPool } from '../sandbox/pool.js';
import { abortOnCancel, executeDistinct, SandboxChoice } from '../sandbox/executor.js';
import { dedupeOption, programTimeoutOption, SANDBOX_OPTION, stderrBytesOption, workerCount, workersOption } from '../sandbox/options.js';
import { bwrapLaunch, plainLaunch, type LaunchSpec } from '../sandbox/line-process.js';
import { ForkServer, PROBLEM_SLOTS, ServerDied, type RawResult, type ServerInfo, type ServerJob, type ServerProblem } from './fork-server.js';
import { sha256 } from 'crucible-ml/util';
import { toExecution } from './classify.js';
import { canonicalProgram, TestLimits } from './calibrate.js';
import { pythonLayoutKey } from './layout-key.js';

export const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    workers: workersOption('fork-servers'),
    timeoutSeconds: programTimeoutOption(' (a blocked program is stopped at 3x this in wall time)'),
    testTimeoutSeconds: { type: 'number', exclusiveMinimum: 0, default: 0.25, description: 'CPU seconds per test case, raised per test to canonicalTimeFactor x the canonical solution\'s CPU time when that is more. CPU time does not grow with machine load as wall time does, so the floor needs no wide margin (HumanEval\'s slowest canonical test takes ~40 ms); each looping test costs this much' },
    confirmTimeoutSeconds: { type: 'number', exclusiveMinimum: 0, default: 1, description: 'a test that hits the cheap per-test floor is run again with this many CPU seconds (or canonicalTimeFactor x the canonical solution\'s, when more; at most timeoutSeconds) before the execution is called TIMEOUT; each test records the limit it hit' },
    canonicalTimeFactor: { type: 'number', minimum: 0, default: 4, description: 'a test that times out may take this many times the canonical solution\'s CPU time on it (measured once per problem, as evalplus does); 0 = fixed limits' },
    checkMode: { type: 'string', enum: ['graded', 'fast-check'], default: 'graded', description: 'problems with test data (HumanEval+/MBPP+): graded runs every input (exact passed/total: the reward); fast-check stops at the first failing input, as evalplus does by default (exact status, passed is a lower bound: for evaluation-only runs)' },
    referenceFloorSeconds: { type: 'number', exclusiveMinimum: 0, default: 4, description: 'problems with test data: an input times out only past max(this, canonicalTimeFactor x the canonical solution\'s CPU time on it), evalplus\'s limit (its default floor is 4 s); testTimeoutSeconds is the first, cheaper limit, and an input over it is run again at this limit before TIMEOUT is reported' },
    memoryMb: { type: 'integer', minimum: 16, default: 1024, description: 'address-space limit of each candidate process (MiB)' },
    maxProcesses: { type: 'integer', minimum: 1, default: 32, description: 'processes a candidate may have at once (enforced when candidates run under their own uid, i.e. as root)' },
    maxOutputBytes: { type: 'integer', minimum: 1024, default: 8388608, description: 'largest file (and captured stdout/stderr) a candidate may write' },
    maxOpenFiles: { type: 'integer', minimum: 16, default: 256, description: 'open file descriptors per candidate process' },
    maxLeftoverEntries: { type: 'integer', minimum: 16, default: 100000, description: 'files and folders a candidate may leave behind; past this its fork-server is replaced (and the candidate reported) rather than cleaned' },
    tmpMb: { type: 'integer', minimum: 16, default: 256, description: 'size of the sandbox\'s private /tmp (MiB), which holds the candidates\' working folders: writing more is ENOSPC' },
    stderrBytes: stderrBytesOption('stderr excerpt kept in each execution (the tail)'),
    guardComparisons: { type: 'boolean', default: true, description: 'a test comparison (==, <, in, truth of an assert...) between a value of a class the candidate defined (with its own __eq__, __bool__, ...) and any other value fails (HijackedComparison) instead of letting the candidate\'s method decide it: returning an always-equal object is a known reward hack' },
    dedupe: dedupeOption('run identical candidates of a problem once and give each copy that execution (low-temperature sampling repeats itself often); identical modulo comments, blank lines and trailing spaces, which change nothing but line numbers (a copy\'s stderr is its first occurrence\'s)'),
    sandbox: SANDBOX_OPTION,
    python: { type: 'string', default: '', hostResource: 'executable', hostResourceExcept: [''], description: 'interpreter command or path; empty = python3 (resolved once to its real path)' },
  },
} as const;

export type PythonExecutorConfig = ConfigOf<typeof configSchema>;

/** The fork-server's Python sources (found from the package root, so it works from sources and from dist/). */
const SERVER_DIR = () => join(packageRoot(), 'plugins', 'executors', 'python', 'py');
/** -S: no site; -I: isolated (no user site, no PYTHON* variables); -B: never write .pyc files into the package. */
const PYTHON_FLAGS = ['-S', '-I', '-B'];
const refusals = new WeakSet<Error>();
const refusal = (error: Error) => (refusals.add(error), error);
/** What a candidate can reach without bubblewrap. */
const OFF_LOSES = 'they can read every host file their uid may read, open network connections, see the host\'s processes and IPC objects, and share the host\'s /tmp';

export interface PythonExecutor extends Executor {
  /** What the executor runs with: interpreter, sandbox, limits (recorded with the run). */
  describe(): Record<string, unknown>;
  /** Pids of the live fork-servers. */
  serverPids(): number[];
  /** Candidates asked for, and programs actually run (fewer with dedupe; more with calibration re-runs). */
  counts(): { candidates: number; programs: number };
}

export async function createPythonExecutor(config: PythonExecutorConfig, ctx: PluginContext): Promise<PythonExecutor> {
  const workers = workerCount(config.workers);
  const sandbox = new SandboxChoice(config.sandbox as SandboxMode, 'python', ctx, {
    withoutBwrap: 'candidates run with resource limits only, without isolation',
    off: { lost: OFF_LOSES, message: `sandbox "off": candidates run without bubblewrap, so ${OFF_LOSES}. What remains: an unprivileged uid (when crucible runs as root), rlimits, CPU and wall limits, and the checker.` },
  });
  const interpreter = await resolveInterpreter(config.python);
  let hostWorkDir: string | undefined;
  let lastInfo: ServerInfo | undefined;
  const uidBase = 200_000 + (process.pid % 100_000) * 64;

  const spec = (slot: number): LaunchSpec => {
    const limits = { memoryMb: config.memoryMb, maxProcesses: config.maxProcesses, maxOutputBytes: config.maxOutputBytes, maxOpenFiles: config.maxOpenFiles };
    const env = { PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', HOME: '/tmp' };
    const init = { maxLeftoverEntries: config.maxLeftoverEntries, limits, stderrBytes: config.stderrBytes, uid: uidBase + (slot % 64), problemSlots: PROBLEM_SLOTS, guardComparisons: config.guardComparisons };
    if (sandbox.sandboxed) {
      const initJson = JSON.stringify({ ...init, workRoot: SANDBOX_WORK_ROOT, wipeTmp: true });
      const hide = [packageRoot(), process.cwd(), process.env.HOME ?? '/root'];
      return bwrapLaunch(sandbox.bwrap!, serverBwrapArgs(interpreter, SERVER_DIR(), hide, config.tmpMb * 1024 * 1024), interpreter.executable, [...PYTHON_FLAGS, SANDBOX_SERVER_PATH, initJson], env);
    }
    if (!hostWorkDir) {
      hostWorkDir = mkdtempSync(join(tmpdir(), 'crucible-exec-'));
      chmodSync(hostWorkDir, 0o711); // candidates under their own uid must reach their folder inside
    }
    const initJson = JSON.stringify({ ...init, workRoot: join(hostWorkDir, `slot-${slot}`), wipeTmp: false });
    return plainLaunch(interpreter.executable, [...PYTHON_FLAGS, join(SERVER_DIR(), 'fork_server.py'), initJson], { ...env, HOME: hostWorkDir });
  };

  const started = async (slot: number) => {
    const { server, info } = await ForkServer.start(spec(slot));
    if (info.ready !== true) {
      server.kill();
      throw refusal(CrucibleError.at('CRUCIBLE_E_SANDBOX', {
        message: `refusing to run candidates as root: ${info.uidProblem ?? 'no unprivileged uid for them'}`,
        path: 'stages.executor.config.sandbox',
        hint: 'install bubblewrap and use sandbox "auto" or "required", run crucible as an unprivileged user, or set the executor\'s "python" to an interpreter every user can read (e.g. /usr/bin/python3)',
      }));
    }
    if (!lastInfo) ctx.events.record('executor.groupLimits', groupLimits(info.uid)); // once per executor: how the fallback holds candidates
    lastInfo = info;
    return server;
  };

  // The server enforces the limits itself; the watchdog only catches a server that stopped answering.
  // A data problem's budget is set by the server from its canonical times (at most 61 s per group of inputs).
  const watchdogMs = (job: ServerJob) => ((job.plus ? job.timeout + 2 * 61 : job.timeout) * 3 + 10) * 1000 + job.problem.tests.length * 50;
  const pool = new ProcessPool<ServerJob, RawResult, ServerDied, ForkServer>({
    size: workers,
    // A refusal is not a bubblewrap failure: running unsandboxed would not help.
    launch: (slot) => sandbox.launch(() => started(slot), (error) => refusals.has(error)),
    watchdogMs,
    isDied: (error): error is ServerDied => error instanceof ServerDied,
    what: 'fork-server',
    closeGraceMs: 50,
  });
  const detachCancel = abortOnCancel(ctx, pool);
  let nextId = 0;
  const specs = new WeakMap<Problem, ServerProblem>();
  const specOf = (problem: Problem): ServerProblem => {
    let spec = specs.get(problem);
    if (!spec) {
      const setup = problem.testSetup ?? null;
      const tests = problem.tests.map((t) => t.code);
      const canonical = canonicalProgram(problem) ?? null;
      const data = problem.testData ? testDataOf(problem) : null;
      spec = { key: sha256(JSON.stringify([setup, tests, problem.entryPoint, problem.prompt, canonical, problem.testData?.sha256 ?? null])), setup, tests, entry: problem.entryPoint, prompt: problem.prompt, canonical, data };
      specs.set(problem, spec);
    }
    return spec;
  };
  let candidatesSeen = 0;
  /** Programs by where their tests ran (the in-process fallback is counted, never silent). */
  const isolationCounts = { checker: 0, 'in-process': 0 };
  const plus = { mode: config.checkMode as 'graded' | 'fast-check', floor: config.referenceFloorSeconds, factor: config.canonicalTimeFactor, first: config.testTimeoutSeconds };
  const runProgram = async (problem: Problem, code: string, testTimeouts: number[], afterTimeout?: number[]) =>
    pool.run({ id: nextId++, code, problem: specOf(problem), timeout: config.timeoutSeconds, testTimeouts, ...(afterTimeout ? { afterTimeout } : {}), ...(problem.testData ? { plus } : {}) });
  const limits = new TestLimits(config.testTimeoutSeconds, config.canonicalTimeFactor, config.timeoutSeconds, runProgram);
  /** Tests that timed out at a limit below the one a timeout must be confirmed at. */
  const unconfirmed = (e: Execution, confirm: number[]) => e.tests.some((t, j) => t.outcome === 'timeout' && (t.limitSeconds ?? 0) < confirm[j]);

  const executeCalibrated = async (problem: Problem, candidates: Candidate[]): Promise<Execution[]> => {
    const floor = limits.defaults(problem);
    const executions = await Promise.all(candidates.map((c) => runCandidate(problem, c, floor)));
    // Data problems carry their canonical times: the server sets and confirms their limits itself.
    if (problem.testData) return executions;
    const least = problem.tests.map(() => (limits.canCalibrate(problem) ? config.timeoutSeconds : Math.min(config.timeoutSeconds, config.confirmTimeoutSeconds)));
    if (!executions.some((e) => unconfirmed(e, least))) return executions;
    // The cheap floor caught a test: before calling it a TIMEOUT, run the candidate again with that test allowed the
    // confirmation limit, max(confirmTimeoutSeconds, canonicalTimeFactor x the canonical solution's CPU) as evalplus
    // does. After the first test that times out at that limit the rest go back to the floor (one confirmation per
    // program is what a TIMEOUT needs; a looping program does not pay it on every test).
    const calibrated = limits.canCalibrate(problem) ? await limits.limits(problem) : undefined;
    const after = calibrated ?? floor;
    const confirm = after.map((t) => Math.min(config.timeoutSeconds, Math.max(t, config.confirmTimeoutSeconds)));
    return Promise.all(executions.map((e, i) => (unconfirmed(e, confirm) ? runCandidate(problem, candidates[i], confirm, after) : e)));
  };

  const runCandidate = async (problem: Problem, candidate: Candidate, testTimeouts: number[], afterTimeout?: number[]): Promise<Execution> => {
    const startedAt = performance.now();
    const raw = await runProgram(problem, candidate.code, testTimeouts, afterTimeout);
    const execution = toExecution(problem, candidate, raw, startedAt, performance.now());
    if (execution.isolation) isolationCounts[execution.isolation]++;
    return execution;
  };

  return {
    async execute(problem: Problem, candidates: Candidate[]): Promise<Execution[]> {
      ctx.throwIfCancelled();
      candidatesSeen += candidates.length;
      return executeDistinct(candidates, config.dedupe, (distinct) => executeCalibrated(problem, distinct), pythonLayoutKey);
    },
    async close() {
      detachCancel();
      await pool.close();
      if (hostWorkDir) rmSync(hostWorkDir, { recursive: true, force: true });
      hostWorkDir = undefined;
    },
    describe: () => ({
      python: interpreter.executable,
      pythonVersion: interpreter.version,
      sandbox: sandbox.sandboxed ? 'bwrap' : 'off',
      candidateUid: lastInfo?.uid ?? null,
      workers,
      timeoutSeconds: config.timeoutSeconds,
      testTimeoutSeconds: config.testTimeoutSeconds,
      canonicalTimeFactor: config.canonicalTimeFactor,
      confirmTimeoutSeconds: config.confirmTimeoutSeconds,
      memoryMb: config.memoryMb,
      maxProcesses: config.maxProcesses,
      maxOutputBytes: config.maxOutputBytes,
      maxOpenFiles: config.maxOpenFiles,
      tmpMb: sandbox.sandboxed ? config.tmpMb : null,
      dedupe: config.dedupe,
      checkMode: config.checkMode,
      referenceFloorSeconds: config.referenceFloorSeconds,
      isolation: { ...isolationCounts },
      groupLimits: groupLimits(lastInfo?.uid ?? null),
    }),
    serverPids: () => pool.pids(),
    counts: () => ({ candidates: candidatesSeen, programs: nextId }),
  };
}

/** A problem's test data, checked once against its content hash; the bytes are read again when a server needs them. */
function testDataOf(problem: Problem): { file: string; read(): Buffer } {
  const { file, sha256: want, format } = problem.testData!;
  const fail = (message: string) =>
    CrucibleError.at('CRUCIBLE_E_DATASET', { file, path: `problems[${JSON.stringify(problem.id)}].testData`, message, hint: 'load the dataset again: its test data is recomputed when missing' });
  if (format !== 'crucible-plus-v1') throw fail(`unknown test data format "${String(format)}"`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw fail(`cannot read the test data: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (sha256(bytes) !== want) throw fail('the test data does not match its sha256 (changed or corrupt)');
  const size = bytes.length;
  return {
    file,
    read() {
      const again = readFileSync(file);
      if (again.length !== size) throw fail('the test data changed while the executor ran');
      return again;
    },
  };
}

export type { Interpreter };

export default definePlugin({
  kind: 'executor',
  name: 'python',
  version: '1.0.0',
  apiVersion: '^1',
  description: 'runs Python candidates in warm fork-servers (bubblewrap sandbox, rlimits, CPU-time limits per program and per test), with the full error taxonomy',
  configSchema,
  create: (config, ctx) => createPythonExecutor(config, ctx),
});
