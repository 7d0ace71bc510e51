// The trusted checker: one per executor slot, inside the sandbox. It holds the problems' tests and the report
// channel (its stdout, read by crucible), runs each test in its own realm, and calls the candidate in another
// process (worker.cjs, an unprivileged uid) through the I/O thread. Only plain data comes back, decoded here with
// this realm's intrinsics, so comparisons and console.assert are the checker's own: no object, getter, patched
// prototype or exit of the candidate can decide a test.
//
// Host -> checker (stdin, one JSON line per job):
//   {id, code, p: problemKey, [problem: {setup, tests, entryPoint}], timeoutMs, testTimeoutMs, settleMs}
// Checker -> host (stdout): {ready, ...} once, then {id, syntax?, fatal?, tests: [{o, t?, ms?}], ms, stderr?, unsettled?}
import { Worker } from 'node:worker_threads';
import { createContext, Script } from 'node:vm';
import { createRequire } from 'node:module';
import { readdirSync, readFileSync, writeSync } from 'node:fs';

const require = createRequire(import.meta.url);
const { CODEC_SOURCE } = require('./codec.cjs');
const { onJsonLines } = require('./lines.cjs');

const init = JSON.parse(process.argv[2]);
const MAX_RESULT_BYTES = init.maxResultBytes;
const PROBLEM_SLOTS = init.problemSlots;
/** How many times a test that ran out of wall time while getting little CPU (a loaded machine) is tried again. */
const STARVED_RETRIES = 2;
const WALL_FACTOR = 3;
/** The most wall time a runnable, starved candidate process gets for a request, in multiples of its CPU limit. */
const HARD_WALL_FACTOR = 20;

const sab = new SharedArrayBuffer(16 + 4 * MAX_RESULT_BYTES + (2 << 20));
const ctl = new Int32Array(sab, 0, 4);
const data = new Uint8Array(sab, 16);
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const io = new Worker(new URL('./checker-io.mjs', import.meta.url), {
  workerData: { sab, command: init.worker.command, args: init.worker.args, uid: init.uid, gid: init.uid, env: init.worker.env },
});
io.unref();

/**
 * One synchronous request to the I/O thread. After `waitMs` the candidate process is killed and {killed} comes back,
 * unless `keepWaiting()` says the process is still making progress (it is then asked again every `waitMs`).
 */
function ioCall(request, waitMs, keepWaiting = () => false) {
  const bytes = encoder.encode(JSON.stringify(request));
  if (bytes.length > data.length) return { harness: `request of ${bytes.length} bytes is too large` };
  data.set(bytes);
  Atomics.store(ctl, 1, bytes.length);
  Atomics.store(ctl, 0, 1);
  io.postMessage(0);
  let waited = Atomics.wait(ctl, 0, 1, Math.max(1, waitMs));
  while (waited === 'timed-out' && keepWaiting()) waited = Atomics.wait(ctl, 0, 1, Math.max(1, waitMs));
  if (waited === 'timed-out' && Atomics.compareExchange(ctl, 0, 1, 3) === 1) {
    io.postMessage(0);
    while (Atomics.load(ctl, 0) === 3) Atomics.wait(ctl, 0, 3, 1000);
  }
  const answer = JSON.parse(decoder.decode(data.slice(0, Atomics.load(ctl, 1))));
  Atomics.store(ctl, 0, 0);
  return answer;
}

/** CPU milliseconds the candidate process has used, and whether it is runnable (R) rather than asleep or blocked. */
function workerCpu() {
  try {
    const stat = readFileSync(`/proc/${workerPid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], ms: (Number(fields[11]) + Number(fields[12])) * 10 };
  } catch {
    return null;
  }
}

let workerUp = false;
let candidateUid = null;
let workerPid = null;
let stderrTail = '';

function ensureWorker() {
  if (workerUp) return null;
  const answer = ioCall({ op: 'spawn' }, 30_000);
  if (!answer.ready) return answer;
  workerUp = true;
  candidateUid = answer.uid ?? null;
  workerPid = answer.pid;
  return null;
}

/** Kills every process of the candidate's own uid but the live worker (whatever an escape may have started). */
function sweep() {
  if (!init.sweep || candidateUid === null) return;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === workerPid || Number(name) === process.pid) continue;
    try {
      const uidLine = /\nUid:\s+(\d+)/.exec(readFileSync(`/proc/${name}/status`, 'utf8'));
      if (uidLine && Number(uidLine[1]) === candidateUid) process.kill(Number(name), 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

/** Sends one request to the candidate process and classifies what came back. */
function workerCall(message, limitMs) {
  const wall = limitMs * WALL_FACTOR + 1000;
  // Past the wall limit, a process that is runnable and has not yet had its CPU limit is waiting for a CPU on a
  // loaded machine, not stuck: it gets more time (up to HARD_WALL_FACTOR x). A microtask loop burns its CPU limit;
  // a blocked process sleeps: both are killed.
  const start = workerCpu();
  const startedAt = performance.now();
  const keepWaiting = () => {
    const now = workerCpu();
    if (!start || !now || now.state !== 'R') return false;
    return now.ms - start.ms < limitMs && performance.now() - startedAt < limitMs * HARD_WALL_FACTOR + 5000;
  };
  const answer = ioCall({ op: 'relay', message }, wall, keepWaiting);
  if (answer.raw !== undefined) return JSON.parse(answer.raw);
  workerUp = false;
  if (answer.killed) return { wallKilled: true };
  if (answer.died) {
    const { code, signal, error, stderr } = answer.died;
    stderrTail = stderr || stderrTail;
    const memory = /heap limit|heap out of memory|Allocation failed/i.test(stderr || '');
    return { died: memory ? 'memory' : signal || (error ? `spawn: ${error}` : `exit ${code}`) };
  }
  return { died: answer.harness || (answer.tooLarge ? 'answer too large' : 'no answer') };
}

class AssertionFailed extends Error {}
/** Unwinds a test whose candidate call timed out or whose candidate process died (the test code cannot stop it). */
class Abort extends Error {}
class CandidateThrew extends Error {
  constructor(type, message) {
    super(message);
    this.type = type;
  }
}

const problems = new Map();

function problemFor(job) {
  let problem = problems.get(job.p);
  if (problem) {
    problems.delete(job.p);
    problems.set(job.p, problem);
    return problem;
  }
  if (!job.problem) throw new Error(`problem ${job.p} was not sent`);
  if (problems.size >= PROBLEM_SLOTS) problems.delete(problems.keys().next().value);
  problem = compileProblem(job.problem);
  problems.set(job.p, problem);
  return problem;
}

let test = null; // the test running now: its CPU limit, what it used, and what stopped it

function compileProblem({ setup, tests, entryPoint }) {
  const sandbox = createContext({});
  const codec = new Script(`(${CODEC_SOURCE})(globalThis, ${MAX_RESULT_BYTES})`).runInContext(sandbox);
  const noop = () => undefined;
  sandbox.console = {
    log: noop, error: noop, warn: noop, info: noop, debug: noop,
    assert: (ok) => { if (!ok) throw new AssertionFailed('assertion failed'); },
  };
  sandbox[entryPoint] = function candidate(...args) {
    if (test.stop) throw new Abort();
    const remaining = test.limitMs - test.cpuMs;
    if (remaining <= 0) {
      test.stop = { o: 'timeout' };
      throw new Abort();
    }
    let encoded;
    try {
      encoded = codec.encode(args);
    } catch (e) {
      test.stop = { o: 'error', t: `harness: arguments are not plain data (${e.message})` };
      throw new Abort();
    }
    const answer = workerCall({ op: 'call', name: entryPoint, args: encoded, limitMs: remaining * test.wallScale }, remaining * test.wallScale);
    test.cpuMs += answer.cpuMs ?? 0;
    if (answer.timeout) {
      test.stop = { o: 'timeout', starved: test.cpuMs < 0.5 * test.limitMs };
      throw new Abort();
    }
    if (answer.wallKilled) {
      test.stop = { o: 'timeout', blocked: true };
      throw new Abort();
    }
    if (answer.died) {
      test.stop = { o: 'error', t: answer.died === 'memory' ? 'memory' : `worker died (${answer.died})` };
      throw new Abort();
    }
    if (answer.threw) throw new CandidateThrew(String(answer.threw[0]), String(answer.threw[1] ?? ''));
    return codec.decode(answer.value);
  };
  if (setup) new Script(setup, { filename: 'setup.js' }).runInContext(sandbox, { timeout: 10_000 });
  const scripts = tests.map((code, i) => new Script(`{\n${code}\n}`, { filename: `test-${i}.js` }));
  return { sandbox, scripts };
}

/** Defines the candidate in a fresh context of a live worker; null when it is ready. */
function define(job, budget) {
  let scale = 1;
  for (let attempt = 0; ; attempt++) {
    const down = ensureWorker();
    if (down) return { phase: 'define', o: 'error', t: `worker could not start (${down.died?.error ?? down.died?.signal ?? 'unknown'})` };
    const limitMs = Math.floor(Math.min(job.testTimeoutMs, budget.left())); // vm timeouts take whole milliseconds
    if (limitMs <= 0) return { phase: 'define', o: 'timeout', t: 'program time limit' };
    const answer = workerCall({ op: 'define', code: job.code, limitMs: limitMs * scale }, limitMs * scale);
    budget.spend(answer.cpuMs ?? 0);
    if (answer.ok) return null;
    if (answer.syntax) return { syntax: answer.syntax };
    if (answer.threw) return { phase: 'define', o: 'error', t: String(answer.threw[0]) };
    if (answer.died) return { phase: 'define', o: 'error', t: answer.died === 'memory' ? 'memory' : `worker died (${answer.died})` };
    const starved = answer.timeout && (answer.cpuMs ?? 0) < 0.5 * limitMs;
    if (!starved || attempt >= STARVED_RETRIES) return { phase: 'define', o: 'timeout', t: 'timeout' };
    scale *= WALL_FACTOR;
  }
}

function runTest(problem, index, limitMs, wallScale) {
  test = { limitMs, cpuMs: 0, wallScale, stop: null };
  const started = performance.now();
  let outcome;
  try {
    problem.scripts[index].runInContext(problem.sandbox, { timeout: limitMs * wallScale * WALL_FACTOR + 5_000 });
    outcome = test.stop ?? { o: 'pass' };
  } catch (e) {
    if (test.stop) outcome = test.stop;
    else if (e instanceof AssertionFailed) outcome = { o: 'fail', t: 'AssertionError' };
    else if (e instanceof CandidateThrew) outcome = { o: 'error', t: e.type };
    else if (e && e.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') outcome = { o: 'timeout' };
    else outcome = { o: 'error', t: typeof e?.name === 'string' ? e.name : typeof e }; // the test tripped over the returned value
  }
  outcome.ms = Math.round((performance.now() - started) * 1000) / 1000;
  outcome.cpuMs = test.cpuMs;
  return outcome;
}

function runJob(job) {
  const started = performance.now();
  let spent = 0;
  const budget = { left: () => job.timeoutMs - spent, spend: (ms) => { spent += ms; } };
  const problem = problemFor(job);
  const result = { id: job.id, tests: [], ms: 0 };
  stderrTail = '';
  const defined = define(job, budget);
  if (defined) {
    settle(result, job, budget, false);
    return finish(result, started, defined.syntax ? { syntax: defined.syntax } : { fatal: defined });
  }
  let needsDefine = false;
  for (let i = 0; i < problem.scripts.length; i++) {
    let outcome;
    for (let attempt = 0, scale = 1; ; attempt++, scale *= WALL_FACTOR) {
      if (needsDefine) {
        const again = define(job, budget);
        if (again) {
          outcome = again.syntax ? { o: 'error', t: 'SyntaxError' } : { o: again.o, t: again.t };
          break;
        }
        needsDefine = false;
      }
      const limitMs = Math.floor(Math.min(job.testTimeoutMs, budget.left())); // vm timeouts take whole milliseconds
      if (limitMs <= 0) {
        outcome = { o: 'timeout' };
        break;
      }
      outcome = runTest(problem, i, limitMs, scale);
      if (outcome.o === 'timeout') outcome.l = limitMs / 1000;
      budget.spend(outcome.cpuMs);
      // A timed-out or dead candidate context is not reused: the next test gets a freshly defined program.
      if (outcome.o === 'timeout' || (outcome.o === 'error' && !workerUp)) needsDefine = true;
      if (!(outcome.o === 'timeout' && outcome.starved) || attempt >= STARVED_RETRIES) break;
    }
    const { starved, blocked, cpuMs, ...kept } = outcome;
    result.tests.push(kept);
  }
  settle(result, job, budget, true);
  return finish(result, started, {});
}

/** Waits (bounded) until the program has no pending timers, as a Node process would before exiting; collects its output. */
function settle(result, job, budget, wait) {
  if (!workerUp) return;
  const settleMs = Math.max(1, Math.min(job.settleMs, budget.left()));
  const settled = workerCall({ op: 'settle', wait }, settleMs / WALL_FACTOR);
  if (settled.ok && settled.output) stderrTail = settled.output;
  else if (!settled.ok && wait) result.unsettled = true;
}

function finish(result, started, extra) {
  Object.assign(result, extra);
  result.ms = Math.round((performance.now() - started) * 1000) / 1000;
  if (stderrTail) result.stderr = stderrTail.slice(-init.stderrBytes);
  // In the sandbox's own PID namespace the scan is a handful of entries: sweep after every job there.
  if (!workerUp || init.sweepEveryJob) sweep();
  return result;
}

function answer(message) {
  writeSync(1, JSON.stringify(message) + '\n');
}

const down = ensureWorker();
if (down) {
  process.stderr.write(`crucible checker: the candidate process did not start: ${JSON.stringify(down).slice(0, 2000)}\n`);
  process.exit(3);
}
answer({ ready: true, pid: process.pid, uid: candidateUid, node: process.version });

onJsonLines(process.stdin, (job) => {
  let result;
  try {
    result = runJob(job);
  } catch (e) {
    workerUp = false;
    ioCall({ op: 'kill' }, 10_000);
    result = { id: job.id, tests: [], ms: 0, fatal: { phase: 'harness', o: 'error', t: String(e?.message ?? e).slice(0, 300) } };
  }
  answer(result);
}, () => {
  ioCall({ op: 'kill' }, 10_000);
  process.exit(0);
});
