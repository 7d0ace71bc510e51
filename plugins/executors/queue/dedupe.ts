// Identical candidates of a problem are sent once, before the problem is cut into batches: the executors that
// dedupe (python, javascript with `dedupe: true`) would run them once anyway, but only within one batch, so copies
// cut into different batches would run again on other workers. Each copy gets its original's execution under
// its own id, as the executor's own dedupe gives it. `keyOf` is what the executor calls identical (the python
// executor: its layout key, comments and blank lines aside), so that the queue sends what the executor would run.
import type { Candidate, Execution } from 'crucible-ml';

export interface SentOnce {
  /** The first occurrence of each distinct program, in input order: what goes to the workers. */
  distinct: Candidate[];
  /** Ids of the candidates each distinct one stands for (itself first). */
  covers: Map<string, string[]>;
  /** Executions of `distinct` -> one per input candidate, in input order. */
  expand(executions: Execution[]): Execution[];
}

export function sendOnce(candidates: Candidate[], dedupe: boolean, keyOf: (code: string) => string = (code) => code): SentOnce {
  const firstOf = new Map<string, Candidate>();
  const covers = new Map<string, string[]>();
  const keys = candidates.map((c) => (dedupe ? keyOf(c.code) : ''));
  candidates.forEach((candidate, i) => {
    const first = dedupe ? firstOf.get(keys[i]) : undefined;
    if (first) {
      covers.get(first.id)!.push(candidate.id);
    } else {
      if (dedupe) firstOf.set(keys[i], candidate);
      covers.set(candidate.id, [candidate.id]);
    }
  });
  const distinct = candidates.filter((c) => covers.has(c.id));
  return {
    distinct,
    covers,
    expand(executions) {
      const byId = new Map(executions.map((e) => [e.candidateId, e]));
      return candidates.map((candidate, i) => {
        const original = dedupe ? firstOf.get(keys[i])! : candidate;
        const ran = byId.get(original.id)!;
        return original === candidate ? ran : { ...ran, candidateId: candidate.id, tests: ran.tests.map((t) => ({ ...t })) };
      });
    },
  };
}

/** `count` batches of as equal sizes as can be (sizes differ by at most one), none over `size`. */
export function cutEvenly<T>(items: T[], size: number): T[][] {
  const count = Math.ceil(items.length / size);
  const out: T[][] = [];
  for (let i = 0, start = 0; i < count; i++) {
    const n = Math.floor(items.length / count) + (i < items.length % count ? 1 : 0);
    out.push(items.slice(start, start + n));
    start += n;
  }
  return out;
}
