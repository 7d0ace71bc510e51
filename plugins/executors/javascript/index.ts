// javascript: runs JavaScript candidates in warm Node worker processes inside the sandbox, a fresh vm2 context per
// candidate, with the full taxonomy and one test per assertion. Each slot is a trusted checker (tests, comparisons,
// report channel) plus a candidate process under an unprivileged uid that only ever answers with plain data.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { definePlugin, type ConfigOf } from 'crucible-ml';
import type { Candidate, Execution, Problem } from 'crucible-ml';
import type { Executor } from 'crucible-ml';
import type { PluginContext } from 'crucible-ml';
import { CrucibleError } from 'crucible-ml';
import { findOnPath, isRoot, type SandboxMode } from '../sandbox/isolation.js';
import { ProcessPool } from '../sandbox/pool.js';
import { abortOnCancel, executeDistinct, SandboxChoice } from '../sandbox/executor.js';
import { dedupeOption, programTimeoutOption, SANDBOX_OPTION, stderrBytesOption, workerCount, workersOption } from '../sandbox/options.js';
import { checkerBwrapArgs, SANDBOX_RUNTIME } from './sandbox.js';
import { CheckerDied, CheckerProcess, PROBLEM_SLOTS, type CheckerInfo, type CheckerJob, type CheckerProblem, type RawResult } from './checker-process.js';
import { bwrapLaunch, plainLaunch, type LaunchSpec } from '../sandbox/line-process.js';
import { toExecution } from './classify.js';

/** The environment variable without which `unsafeHostAccess` is refused. */
export const UNSAFE_ENV = 'CRUCIBLE_UNSAFE_HOST_ACCESS_FOR_TESTS';

export const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    workers: workersOption('checker + candidate process pairs'),
    timeoutSeconds: programTimeoutOption('; a program that blocks its process (a microtask loop) is stopped at about 3x a test\'s limit in wall time'),
    testTimeoutSeconds: { type: 'number', exclusiveMinimum: 0, default: 1, description: 'CPU seconds per test case (vm2\'s timeout, in wall time, is retried with a longer limit when the process got less than half of it in CPU: a loaded machine does not flip verdicts)' },
    settleSeconds: { type: 'number', minimum: 0, default: 1, description: 'how long the program\'s own timers may keep running after the tests; a program still holding timers then (setInterval forever) is a TIMEOUT, as its Node process would never exit' },
    memoryMb: { type: 'integer', minimum: 64, default: 512, description: 'memory of each candidate process (MiB): its data limit, with 3/4 of it as the JavaScript heap' },
    maxProcesses: { type: 'integer', minimum: 16, default: 32, description: 'processes and threads the candidate process may have at once (enforced when candidates run under their own uid, i.e. as root; Node itself uses ~10 threads)' },
    maxOpenFiles: { type: 'integer', minimum: 16, default: 64, description: 'open file descriptors of the candidate process' },
    maxOutputBytes: { type: 'integer', minimum: 1024, default: 1048576, description: 'largest file the candidate process may write, and the private /tmp\'s size' },
    maxResultBytes: { type: 'integer', minimum: 1024, default: 1048576, description: 'largest value (encoded) a candidate call may return' },
    stderrBytes: stderrBytesOption('excerpt kept in each execution: the tail of what the program printed (console.*), or of its process\'s stderr when it died'),
    dedupe: dedupeOption('run identical candidates of a problem once and give each copy that execution'),
    sandbox: SANDBOX_OPTION,
    unsafeHostAccess: { type: 'boolean', default: false, weakensIsolation: [true], description: `FOR TESTS OF THE OUTER SANDBOX ONLY: hands each candidate Node's process and require (as \`__host\`), which is what a complete escape from vm2 would give it. Refused unless the environment of the crucible process sets ${UNSAFE_ENV}=1 (an operator's decision, never a manifest's)` },
  },
} as const;

export type JavaScriptExecutorConfig = ConfigOf<typeof configSchema>;

/** First uid of the javascript executor's candidate processes (when crucible runs as root). */
export const JS_UID_BASE = 10_000_000;

/** Executors created so far in this process: each takes its own uids, so no sweep of one can touch another's. */
let executorsCreated = 0;

export interface JavaScriptExecutor extends Executor {
  describe(): Record<string, unknown>;
  /** Pids of the live checkers. */
  checkerPids(): number[];
  counts(): { candidates: number; programs: number };
}

/** runtime/*.mjs|cjs: beside this module when running from sources, under the package root when from dist/. */
export function runtimeDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  if (existsSync(join(dir, 'runtime', 'checker.mjs'))) return join(dir, 'runtime');
  for (; dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'plugins', 'executors', 'javascript', 'runtime');
    if (!dir.endsWith('/dist') && existsSync(join(candidate, 'checker.mjs'))) return candidate;
  }
  throw new CrucibleError('CRUCIBLE_E_EXECUTOR', 'the JavaScript executor\'s runtime folder (plugins/executors/javascript/runtime) is missing from the installation');
}

export async function createJavaScriptExecutor(config: JavaScriptExecutorConfig, ctx: PluginContext): Promise<JavaScriptExecutor> {
  const workers = workerCount(config.workers);
  const sandbox = new SandboxChoice(config.sandbox as SandboxMode, 'javascript', ctx, { withoutBwrap: 'candidates run in vm2 with resource limits only' });
  const prlimit = findOnPath('prlimit', process.env, ['/usr/bin', '/bin']);
  if (!prlimit) {
    throw CrucibleError.at('CRUCIBLE_E_SANDBOX', { message: 'prlimit (util-linux) is not installed: the candidate process\'s limits cannot be set', path: 'stages.executor.config', hint: 'install util-linux' });
  }
  if (config.unsafeHostAccess && process.env[UNSAFE_ENV] !== '1') {
    throw CrucibleError.at('CRUCIBLE_E_PLUGIN_NOT_ALLOWED', {
      message: `unsafeHostAccess hands candidates the host's process and require; it is for tests of the outer sandbox only and needs ${UNSAFE_ENV}=1 in crucible's environment`,
      path: 'stages.executor.config.unsafeHostAccess',
      hint: 'remove it',
    });
  }
  const nodePath = process.execPath;
  const hostRuntime = runtimeDir();
  let lastInfo: CheckerInfo | undefined;
  // 64 uids per crucible process, disjoint from the python executor's 200000 + (pid % 100000) * 64 range.
  const uidBase = JS_UID_BASE + (process.pid % 100_000) * 64;
  const uidOffset = executorsCreated++ * workers;

  const spec = (slot: number): LaunchSpec => {
    const runtime = sandbox.sandboxed ? SANDBOX_RUNTIME : hostRuntime;
    const limits = [`--data=${config.memoryMb * 1024 * 1024}`, `--nofile=${config.maxOpenFiles}`, `--fsize=${config.maxOutputBytes}`, '--core=0'];
    if (isRoot()) limits.push(`--nproc=${config.maxProcesses}`);
    const workerConfig = { maxResultBytes: config.maxResultBytes, outputBytes: config.stderrBytes, unsafeHostAccess: config.unsafeHostAccess };
    const worker = {
      command: prlimit,
      args: [...limits, '--', nodePath, `--max-old-space-size=${Math.floor(config.memoryMb * 0.75)}`, '--v8-pool-size=1', join(runtime, 'worker.cjs'), JSON.stringify(workerConfig)],
      env: { PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8', HOME: '/tmp', UV_THREADPOOL_SIZE: '1' },
    };
    const init = { maxResultBytes: config.maxResultBytes, problemSlots: PROBLEM_SLOTS, uid: isRoot() ? uidBase + ((uidOffset + slot) % 64) : null, sweep: isRoot(), sweepEveryJob: isRoot() && sandbox.sandboxed, stderrBytes: config.stderrBytes, worker };
    const env = { PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8', HOME: '/tmp' };
    const checkerArgs = ['--max-old-space-size=512', join(runtime, 'checker.mjs'), JSON.stringify(init)];
    if (sandbox.sandboxed) {
      const hide = [process.cwd(), process.env.HOME ?? '/root', dirname(hostRuntime)];
      return bwrapLaunch(sandbox.bwrap!, checkerBwrapArgs(nodePath, { runtimeDir: hostRuntime, tmpBytes: config.maxOutputBytes * 4, hide }), nodePath, checkerArgs, env);
    }
    return plainLaunch(nodePath, checkerArgs, env);
  };

  const started = async (slot: number): Promise<CheckerProcess> => {
    const { checker, info } = await CheckerProcess.start(spec(slot));
    lastInfo = info;
    return checker;
  };

  // The checker enforces every limit itself; this only catches a checker that stopped answering.
  const watchdogMs = (job: CheckerJob) => 60_000 + job.timeoutMs * 30 + job.problem.tests.length * 1000;
  const pool = new ProcessPool<CheckerJob, RawResult, CheckerDied, CheckerProcess>({
    size: workers,
    launch: (slot) => sandbox.launch(() => started(slot)),
    watchdogMs,
    isDied: (error): error is CheckerDied => error instanceof CheckerDied,
    what: 'JavaScript checker',
    closeGraceMs: 2000,
  });
  const detachCancel = abortOnCancel(ctx, pool);

  const problemsSeen = new WeakMap<Problem, CheckerProblem>();
  const problemOf = (problem: Problem): CheckerProblem => {
    let found = problemsSeen.get(problem);
    if (!found) {
      if (problem.language !== 'javascript') {
        throw CrucibleError.at('CRUCIBLE_E_EXECUTOR', { message: `problem ${problem.id} is written in ${problem.language}, not JavaScript`, path: 'stages.executor.plugin', hint: 'use the python executor for Python datasets' });
      }
      const setup = problem.testSetup ?? '';
      const tests = problem.tests.map((t) => t.code);
      const key = createHash('sha256').update(JSON.stringify([setup, tests, problem.entryPoint])).digest('hex');
      found = { key, setup, tests, entryPoint: problem.entryPoint };
      problemsSeen.set(problem, found);
    }
    return found;
  };

  let nextId = 0;
  let candidatesSeen = 0;
  const runCandidate = async (problem: Problem, candidate: Candidate): Promise<Execution> => {
    const startedAt = performance.now();
    const raw = await pool.run({
      id: nextId++,
      code: candidate.code,
      problem: problemOf(problem),
      timeoutMs: config.timeoutSeconds * 1000,
      testTimeoutMs: config.testTimeoutSeconds * 1000,
      settleMs: config.settleSeconds * 1000,
    });
    return toExecution(problem, candidate, raw, startedAt, performance.now());
  };

  return {
    async execute(problem: Problem, candidates: Candidate[]): Promise<Execution[]> {
      ctx.throwIfCancelled();
      problemOf(problem);
      candidatesSeen += candidates.length;
      return executeDistinct(candidates, config.dedupe, (distinct) => Promise.all(distinct.map((c) => runCandidate(problem, c))));
    },
    async close() {
      detachCancel();
      await pool.close();
    },
    describe: () => ({
      node: nodePath,
      nodeVersion: lastInfo?.node ?? null,
      sandbox: sandbox.sandboxed ? 'bwrap' : 'off',
      inner: 'vm2',
      candidateUid: lastInfo?.uid ?? null,
      workers,
      timeoutSeconds: config.timeoutSeconds,
      testTimeoutSeconds: config.testTimeoutSeconds,
      settleSeconds: config.settleSeconds,
      memoryMb: config.memoryMb,
      maxProcesses: config.maxProcesses,
      maxOpenFiles: config.maxOpenFiles,
      maxOutputBytes: config.maxOutputBytes,
      dedupe: config.dedupe,
      ...(config.unsafeHostAccess ? { unsafeHostAccess: true } : {}),
    }),
    checkerPids: () => pool.pids(),
    counts: () => ({ candidates: candidatesSeen, programs: nextId }),
  };
}

export default definePlugin({
  kind: 'executor',
  name: 'javascript',
  version: '1.0.0',
  apiVersion: '^1',
  description: 'runs JavaScript candidates in warm Node processes inside the sandbox (bubblewrap, unprivileged uid, rlimits), a fresh vm2 context per candidate, one test per assertion, checked outside the candidate\'s process',
  configSchema,
  create: (config, ctx) => createJavaScriptExecutor(config, ctx),
});
