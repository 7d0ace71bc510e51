// The fork-server's observations as Execution records (the shared taxonomy is in ../sandbox/classify.ts): only its
// wire names, a failed cleanup, where the tests ran and a data problem's check mode are its own. Pure, so it is
// tested directly.
import type { Candidate, Execution, Problem } from 'crucible-ml';
import { diedExecution, executionRecord, fatalExecution, syntaxExecution, testOutcome, verdictOf } from '../sandbox/classify.js';
import type { RawResult } from './fork-server.js';
import { ServerDied } from './fork-server.js';

export function toExecution(problem: Problem, candidate: Candidate, raw: RawResult | ServerDied, startedAt: number, now: number): Execution {
  // The whole fork-server went down with this candidate in flight (killed, or it stopped answering).
  if (raw instanceof ServerDied) return diedExecution(problem, candidate, `fork-server died (${raw.reason})`, now - startedAt);
  const isolation = raw.isolation ? { isolation: raw.isolation } : {};
  if (raw.syntax) return syntaxExecution(problem, candidate, raw.syntax, raw.syntax, raw.ms, raw.stderr);
  if (raw.fatal) return { ...fatalExecution(problem, candidate, raw.fatal, raw.ms, raw.stderr), ...isolation };
  const tests = problem.tests.map((t, i) => {
    const test = raw.tests[i];
    return testOutcome(t.id, test && { ...test, limitSeconds: test.lim });
  });
  if (raw.cleanupFailed) {
    // What it left behind could not be removed (its fork-server was replaced): a resource violation like 'output'.
    const note = `crucible: the candidate's files or IPC objects could not be removed (${raw.cleanupFailed}); its fork-server was replaced\n`;
    return { ...executionRecord(problem, candidate, 'RUNTIME_ERROR', tests, raw.ms, 'cleanup', (raw.stderr ?? '') + note), ...isolation };
  }
  const { status, error } = verdictOf(tests);
  return { ...executionRecord(problem, candidate, status, tests, raw.ms, error, raw.stderr), ...isolation, ...(raw.mode ? { checkMode: raw.mode } : {}) };
}
