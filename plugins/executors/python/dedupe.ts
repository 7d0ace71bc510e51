// Identical candidates of one problem run once: sampling at a low temperature repeats itself (1,640 real samples of
// HumanEval hold 940 distinct programs). Each copy gets the execution of its first occurrence under its own id.
import type { Candidate, Execution } from 'crucible-ml';

export interface Deduped {
  /** The first occurrence of each distinct program, in input order. */
  distinct: Candidate[];
  /** Executions of `distinct` (same order) -> one execution per input candidate, in input order. */
  expand(executions: Execution[]): Execution[];
}

export function dedupeByCode(candidates: Candidate[]): Deduped {
  const firstAt = new Map<string, number>();
  const distinct: Candidate[] = [];
  const source = candidates.map((candidate) => {
    let at = firstAt.get(candidate.code);
    if (at === undefined) {
      at = distinct.length;
      firstAt.set(candidate.code, at);
      distinct.push(candidate);
    }
    return at;
  });
  return {
    distinct,
    expand: (executions) =>
      candidates.map((candidate, i) => {
        const ran = executions[source[i]];
        return distinct[source[i]] === candidate ? ran : { ...ran, candidateId: candidate.id, tests: ran.tests.map((t) => ({ ...t })) };
      }),
  };
}
