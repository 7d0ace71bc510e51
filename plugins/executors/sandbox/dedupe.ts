// Identical candidates of one problem run once: sampling at a low temperature repeats itself (1,640 real samples of
// HumanEval hold 940 distinct programs). Each copy gets the execution of its first occurrence under its own id.
// `keyOf` says what identical means (the exact text by default; the python executor: its layout key).
import type { Candidate, Execution } from 'crucible-ml';

export interface Deduped {
  /** The first occurrence of each distinct program, in input order. */
  distinct: Candidate[];
  /** Executions of `distinct` (same order) -> one execution per input candidate, in input order. */
  expand(executions: Execution[]): Execution[];
}

export function dedupeByCode(candidates: Candidate[], keyOf: (code: string) => string = (code) => code): Deduped {
  const firstAt = new Map<string, number>();
  const distinct: Candidate[] = [];
  const source = candidates.map((candidate) => {
    const key = keyOf(candidate.code);
    let at = firstAt.get(key);
    if (at === undefined) {
      at = distinct.length;
      firstAt.set(key, at);
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
