// The JavaScript checker's observations as Execution records (the shared taxonomy is in ../sandbox/classify.ts):
// only its wire names and the timers a program leaves pending are its own. Pure, so it is tested directly.
import type { Candidate, Execution, Problem } from 'crucible-ml';
import { diedExecution, executionRecord, fatalExecution, syntaxExecution, testOutcome, verdictOf } from '../sandbox/classify.js';
import { CheckerDied, type RawResult } from './checker-process.js';

export function toExecution(problem: Problem, candidate: Candidate, raw: RawResult | CheckerDied, startedAt: number, now: number): Execution {
  return { ...record(problem, candidate, raw, startedAt, now), isolation: 'checker' };
}

function record(problem: Problem, candidate: Candidate, raw: RawResult | CheckerDied, startedAt: number, now: number): Execution {
  if (raw instanceof CheckerDied) return diedExecution(problem, candidate, `checker died (${raw.reason})`, now - startedAt);
  if (raw.syntax) return syntaxExecution(problem, candidate, raw.syntax, 'SyntaxError', raw.ms, raw.stderr);
  if (raw.fatal) return fatalExecution(problem, candidate, raw.fatal, raw.ms, raw.stderr);
  const tests = problem.tests.map((t, i) => {
    const test = raw.tests[i];
    return testOutcome(t.id, test && { ...test, limitSeconds: test.l });
  });
  const verdict = verdictOf(tests);
  if (verdict.status === 'SUCCESS' && raw.unsettled) {
    // Every test passed, but the program kept timers running: a Node process running it would never exit.
    return executionRecord(problem, candidate, 'TIMEOUT', tests, raw.ms, 'timers still pending after the tests', raw.stderr);
  }
  return executionRecord(problem, candidate, verdict.status, tests, raw.ms, verdict.error, raw.stderr);
}
