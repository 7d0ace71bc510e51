// The taxonomy: turns what a checker observed into one Execution record. Pure, so it is tested directly.
import type { Candidate, Execution, ExecutionStatus, Problem, TestOutcome } from 'crucible-ml';
import { CheckerDied, type RawResult, type RawTest } from './checker-process.js';

export function toExecution(problem: Problem, candidate: Candidate, raw: RawResult | CheckerDied, startedAt: number, now: number): Execution {
  const base = { candidateId: candidate.id, problemId: problem.id };
  if (raw instanceof CheckerDied) {
    const error = `checker died (${raw.reason})`;
    return finish(base, 'RUNTIME_ERROR', problem.tests.map((t) => ({ id: t.id, outcome: 'error', error })), now - startedAt, error);
  }
  if (raw.syntax) {
    const tests = problem.tests.map((t): TestOutcome => ({ id: t.id, outcome: 'error', error: 'SyntaxError' }));
    return finish(base, 'SYNTAX_ERROR', tests, raw.ms, raw.syntax, raw.stderr);
  }
  if (raw.fatal) {
    // The program could not be defined (or the harness failed), so no test ran: they all share that outcome.
    const { o, t, phase } = raw.fatal;
    const error = phase === 'harness' ? `harness: ${t}` : t;
    const tests = problem.tests.map((test): TestOutcome => ({ id: test.id, outcome: o, ...(o === 'timeout' ? {} : { error }) }));
    return finish(base, o === 'timeout' ? 'TIMEOUT' : 'RUNTIME_ERROR', tests, raw.ms, o === 'timeout' ? undefined : error, raw.stderr);
  }
  const tests = problem.tests.map((t, i) => outcomeOf(t.id, raw.tests[i]));
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
    error = 'AssertionError';
  } else if (raw.unsettled) {
    // Every test passed, but the program kept timers running: a Node process running it would never exit.
    status = 'TIMEOUT';
    error = 'timers still pending after the tests';
  }
  return finish(base, status, tests, raw.ms, error, raw.stderr);
}

function outcomeOf(id: string, raw: RawTest | undefined): TestOutcome {
  if (!raw) return { id, outcome: 'error', error: 'not run' };
  const out: TestOutcome = { id, outcome: raw.o };
  if (raw.o === 'fail' || raw.o === 'error') out.error = raw.t ?? (raw.o === 'fail' ? 'AssertionError' : 'unknown');
  if (raw.ms !== undefined) out.durationMs = raw.ms;
  if (raw.o === 'timeout' && raw.l !== undefined) out.limitSeconds = raw.l;
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
  return {
    ...base,
    status,
    passed,
    total,
    passRate: total > 0 ? passed / total : status === 'SUCCESS' ? 1 : 0,
    tests,
    durationMs: Math.round(durationMs * 1000) / 1000,
    ...(error !== undefined ? { error } : {}),
    ...(stderr ? { stderr } : {}),
    isolation: 'checker',
  };
}
