// The taxonomy both executors share: what a checker observed (a died process, a syntax error, a program that could
// not be defined, or one outcome per test) becomes one Execution record. Pure, so it is tested directly; each
// executor maps its own wire onto these shapes and adds what only it records.
import type { Candidate, Execution, ExecutionStatus, Problem, TestOutcome } from 'crucible-ml';

/** One test as a checker reported it. */
export interface ObservedTest {
  o: TestOutcome['outcome'];
  /** The error's name (for fail/error), or why a test was skipped. */
  t?: string | null;
  ms?: number;
  /** For a timeout: the CPU seconds the test was allowed. */
  limitSeconds?: number;
}

/** Defining the program (or the harness) failed, so no test ran: every test shares this outcome. */
export interface ObservedFatal {
  phase: string;
  o: 'fail' | 'error' | 'timeout';
  t?: string;
}

export function testOutcome(id: string, raw: ObservedTest | null | undefined): TestOutcome {
  if (!raw) return { id, outcome: 'error', error: 'not run' };
  const out: TestOutcome = { id, outcome: raw.o };
  if (raw.o === 'fail' || raw.o === 'error') out.error = raw.t ?? (raw.o === 'fail' ? 'AssertionError' : 'unknown');
  if (raw.o === 'skipped' && raw.t) out.error = raw.t; // 'unconfirmed': over its first limit when fast-check stopped
  if (raw.ms !== undefined) out.durationMs = raw.ms;
  if (raw.o === 'timeout' && raw.limitSeconds !== undefined) out.limitSeconds = raw.limitSeconds;
  return out;
}

/** The record itself: counts, pass rate and the rounded duration. */
export function executionRecord(
  problem: Problem,
  candidate: Candidate,
  status: ExecutionStatus,
  tests: TestOutcome[],
  durationMs: number,
  error?: string,
  stderr?: string,
): Execution {
  const passed = tests.filter((t) => t.outcome === 'pass').length;
  const total = tests.length;
  return {
    candidateId: candidate.id,
    problemId: problem.id,
    status,
    passed,
    total,
    passRate: total > 0 ? passed / total : status === 'SUCCESS' ? 1 : 0,
    tests,
    durationMs: Math.round(durationMs * 1000) / 1000,
    ...(error !== undefined ? { error } : {}),
    ...(stderr ? { stderr } : {}),
  };
}

/** The process running the candidate went down with it in flight (killed, or it stopped answering). */
export function diedExecution(problem: Problem, candidate: Candidate, error: string, durationMs: number): Execution {
  return executionRecord(problem, candidate, 'RUNTIME_ERROR', problem.tests.map((t) => ({ id: t.id, outcome: 'error', error })), durationMs, error);
}

/** The program did not compile: every test is an error named `testError`. */
export function syntaxExecution(problem: Problem, candidate: Candidate, syntax: string, testError: string, ms: number, stderr?: string): Execution {
  const tests = problem.tests.map((t): TestOutcome => ({ id: t.id, outcome: 'error', error: testError }));
  return executionRecord(problem, candidate, 'SYNTAX_ERROR', tests, ms, syntax, stderr);
}

export function fatalExecution(problem: Problem, candidate: Candidate, fatal: ObservedFatal, ms: number, stderr?: string): Execution {
  const { o, t, phase } = fatal;
  const error = phase === 'harness' ? `harness: ${t}` : t;
  const tests = problem.tests.map((test): TestOutcome => ({ id: test.id, outcome: o, ...(o === 'timeout' ? {} : { error }) }));
  const status: ExecutionStatus = o === 'fail' ? 'WRONG_OUTPUT' : o === 'timeout' ? 'TIMEOUT' : 'RUNTIME_ERROR';
  return executionRecord(problem, candidate, status, tests, ms, status === 'TIMEOUT' ? undefined : error, stderr);
}

/** The verdict of a program whose tests ran: any error first, then any timeout, then any failure. */
export function verdictOf(tests: TestOutcome[]): { status: ExecutionStatus; error?: string } {
  const firstError = tests.find((t) => t.outcome === 'error');
  if (firstError) return { status: 'RUNTIME_ERROR', error: firstError.error };
  if (tests.some((t) => t.outcome === 'timeout')) return { status: 'TIMEOUT' };
  const firstFail = tests.find((t) => t.outcome === 'fail');
  if (firstFail) return { status: 'WRONG_OUTPUT', error: firstFail.error ?? 'AssertionError' }; // HijackedComparison when guarded
  return { status: 'SUCCESS' };
}
