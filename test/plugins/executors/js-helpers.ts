// The shared executor test helpers (helpers.ts) for the javascript executor: its language and its uid range.
import type { Candidate, Execution, Problem } from '../../../core/kernel/contract/data.js';
import { JS_UID_BASE } from '../../../plugins/executors/javascript/index.js';
import { candidates, problem, processesUnderUids, runAll } from './helpers.js';

export function jsProblem(tests: string[], extra: Partial<Problem> = {}): Problem {
  return problem(tests, { language: 'javascript', ...extra });
}

export const jsCandidates = candidates;

/** Runs `codes` as the candidates of one JavaScript problem made of `tests`. */
export function jsRunAll(executor: { execute(p: Problem, c: Candidate[]): Promise<Execution[]> }, tests: string[], codes: string[]): Promise<Execution[]> {
  return runAll(executor, tests, codes, { language: 'javascript' });
}

/** Pids of live processes under the uids this process's javascript candidates run as. */
export function jsCandidateProcesses(): number[] {
  return processesUnderUids(JS_UID_BASE + (process.pid % 100_000) * 64);
}
