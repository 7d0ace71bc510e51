// The execution-grounded score shared by test-pass-rate and hybrid.
import type { Candidate, Execution, Problem } from 'crucible-ml';
import { CrucibleError } from 'crucible-ml';

/** Kills by a signal or a resource limit: the program crashed as a whole, whatever tests ran before. */
const CRASH = /^(SIG[A-Z0-9]+|memory|cpu|output|fsize|processes|files)$/i;

export function isCrash(e: Execution): boolean {
  return e.status === 'RUNTIME_ERROR' && typeof e.error === 'string' && CRASH.test(e.error);
}

/** passRate in [0, 1]; SYNTAX_ERROR, TIMEOUT and crashes count 0; `partialCredit: false` gives 1 only to SUCCESS. */
export function passRateScore(e: Execution, partialCredit: boolean): number {
  if (e.status === 'SUCCESS') return 1;
  if (!partialCredit || e.status === 'SYNTAX_ERROR' || e.status === 'TIMEOUT' || isCrash(e)) return 0;
  const rate = Number.isFinite(e.passRate) ? e.passRate : e.total > 0 ? e.passed / e.total : 0;
  return Math.min(1, Math.max(0, rate));
}

/** Executions in candidate order; a scorer that needs them fails clearly when the executor stage is missing. */
export function executionsFor(problem: Problem, candidates: Candidate[], executions: Execution[], scorer: string): Execution[] {
  if (executions.length !== candidates.length) {
    throw CrucibleError.at('CRUCIBLE_E_INPUT', {
      path: 'stages.executor',
      message: `${scorer} needs one execution per candidate (${problem.id}: ${executions.length} executions for ${candidates.length} candidates)`,
      hint: 'add stages.executor, or use the logprob-judge scorer, which needs no tests',
    });
  }
  const byId = new Map(executions.map((e) => [e.candidateId, e]));
  // Match by candidate id when the ids line up, else trust the order.
  return candidates.every((c) => byId.has(c.id)) ? candidates.map((c) => byId.get(c.id)!) : executions;
}
