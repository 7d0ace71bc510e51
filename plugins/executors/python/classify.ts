// The taxonomy: turns what the fork-server observed into one Execution record. Pure, so it is tested directly.
import type { Candidate, Execution, ExecutionStatus, Problem, TestOutcome } from 'crucible-ml';
import type { RawResult, RawTest } from './fork-server.js';
import { ServerDied } from './fork-server.js';

export function toExecution(problem: Problem, candidate: Candidate, raw: RawResult | ServerDied, startedAt: number, now: number): Execution {
  const base = { candidateId: candidate.id, problemId: problem.id };
  if (raw instanceof ServerDied) {
    // The whole fork-server went down with this candidate in flight (killed, or it stopped answering).
    const error = `fork-server died (${raw.reason})`;
    return finish(base, 'RUNTIME_ERROR', problem.tests.map((t) => ({ id: t.id, outcome: 'error', error })), now - startedAt, error);
  }
  const ms = Math.round(raw.ms * 1000) / 1000;
  if (raw.syntax) {
    const tests = problem.tests.map((t): TestOutcome => ({ id: t.id, outcome: 'error', error: raw.syntax }));
    return finish(base, 'SYNTAX_ERROR', tests, ms, raw.syntax, raw.stderr);
  }
  if (raw.fatal) {
    // Defining the candidate (or the test setup) failed, so no test could run: they all share that outcome.
    const { o, t, phase } = raw.fatal;
    const outcome: TestOutcome['outcome'] = o === 'fail' ? 'fail' : o;
    const error = phase === 'harness' ? `harness: ${t}` : t;
    const tests = problem.tests.map((test): TestOutcome => ({ id: test.id, outcome, ...(outcome === 'timeout' ? {} : { error }) }));
    const status: ExecutionStatus = o === 'fail' ? 'WRONG_OUTPUT' : o === 'timeout' ? 'TIMEOUT' : 'RUNTIME_ERROR';
    return { ...finish(base, status, tests, ms, status === 'TIMEOUT' ? undefined : error, raw.stderr), ...(raw.isolation ? { isolation: raw.isolation } : {}) };
  }
  const tests = problem.tests.map((t, i) => outcomeOf(t.id, raw.tests[i]));
  const isolation = raw.isolation;
  if (raw.cleanupFailed) {
    // What it left behind could not be removed (its fork-server was replaced): a resource violation like 'output'.
    const note = `crucible: the candidate's files or IPC objects could not be removed (${raw.cleanupFailed}); its fork-server was replaced\n`;
    return { ...finish(base, 'RUNTIME_ERROR', tests, ms, 'cleanup', (raw.stderr ?? '') + note), ...(isolation ? { isolation } : {}) };
  }
  const firstError = tests.find((t) => t.outcome === 'error');
  let status: ExecutionStatus = 'SUCCESS';
  let error: string | undefined;
  if (firstError) {
    status = 'RUNTIME_ERROR';
    error = firstError.error;
  } else if (tests.some((t) => t.outcome === 'timeout')) {
    status = 'TIMEOUT';
  } else if (tests.some((t) => t.outcome === 'fail')) {
    status = 'WRONG_OUTPUT';
    error = tests.find((t) => t.outcome === 'fail')?.error ?? 'AssertionError'; // HijackedComparison when guarded
  }
  return { ...finish(base, status, tests, ms, error, raw.stderr), ...(isolation ? { isolation } : {}), ...(raw.mode ? { checkMode: raw.mode } : {}) };
}

function outcomeOf(id: string, raw: RawTest | null | undefined): TestOutcome {
  if (!raw) return { id, outcome: 'error', error: 'not run' };
  const out: TestOutcome = { id, outcome: raw.o };
  if (raw.o === 'fail' || raw.o === 'error') out.error = raw.t ?? (raw.o === 'fail' ? 'AssertionError' : 'unknown');
  if (raw.o === 'skipped' && raw.t) out.error = raw.t; // 'unconfirmed': over its first limit when fast-check stopped
  if (raw.ms !== undefined) out.durationMs = raw.ms;
  if (raw.o === 'timeout' && raw.lim !== undefined) out.limitSeconds = raw.lim;
  return out;
}

function finish(
  base: { candidateId: string; problemId: string },
  status: ExecutionStatus,
  tests: TestOutcome[],
  durationMs: number,
  error?: string,
  stderr?: string,
): Execution {
  const passed = tests.filter((t) => t.outcome === 'pass').length;
  const total = tests.length;
  const passRate = total > 0 ? passed / total : status === 'SUCCESS' ? 1 : 0;
  return {
    ...base,
    status,
    passed,
    total,
    passRate,
    tests,
    durationMs: Math.round(durationMs * 1000) / 1000,
    ...(error !== undefined ? { error } : {}),
    ...(stderr ? { stderr } : {}),
  };
}
