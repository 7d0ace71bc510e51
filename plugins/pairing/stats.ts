// Pairing statistics for the run's outputs and report: pairs per problem, score-gap histogram,
// status mix of chosen vs rejected, and the strategy's own drop counters.
import type { PreferencePair } from 'crucible-ml';

export const GAP_EDGES = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];

function describe(values: number[]): { min: number; max: number; mean: number; median: number } {
  if (values.length === 0) return { min: 0, max: 0, mean: 0, median: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return {
    min: sorted[0],
    max: sorted[sorted.length - 1],
    mean: sorted.reduce((s, v) => s + v, 0) / sorted.length,
    median: sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2,
  };
}

export interface PairStats {
  pairs: number;
  problems: number;
  pairsPerProblem: ReturnType<typeof describe>;
  /** 1 for best-of-n (one chosen per problem); larger for all-pairs. */
  distinctChosenPerProblem: ReturnType<typeof describe>;
  scoreGap: ReturnType<typeof describe> & { histogram: { edges: number[]; counts: number[] } };
  chosenScore: ReturnType<typeof describe>;
  rejectedScore: ReturnType<typeof describe>;
  statusMix: { chosen: Record<string, number>; rejected: Record<string, number> };
}

export function pairStats(pairs: PreferencePair[]): PairStats {
  const perProblem = new Map<string, { pairs: number; chosen: Set<string> }>();
  const gaps: number[] = [];
  const counts = new Array<number>(GAP_EDGES.length - 1).fill(0);
  const statusMix = { chosen: {} as Record<string, number>, rejected: {} as Record<string, number> };
  for (const p of pairs) {
    const key = p.problemId ?? '(unknown)';
    const entry = perProblem.get(key) ?? { pairs: 0, chosen: new Set<string>() };
    entry.pairs += 1;
    entry.chosen.add(p.chosenId ?? p.chosen);
    perProblem.set(key, entry);
    if (typeof p.chosenScore === 'number' && typeof p.rejectedScore === 'number') {
      const gap = p.chosenScore - p.rejectedScore;
      gaps.push(gap);
      const bin = Math.min(counts.length - 1, Math.max(0, Math.floor(gap * 10 + 1e-9)));
      counts[bin] += 1;
    }
    const cs = p.chosenStatus ?? 'UNKNOWN';
    const rs = p.rejectedStatus ?? 'UNKNOWN';
    statusMix.chosen[cs] = (statusMix.chosen[cs] ?? 0) + 1;
    statusMix.rejected[rs] = (statusMix.rejected[rs] ?? 0) + 1;
  }
  const entries = [...perProblem.values()];
  return {
    pairs: pairs.length,
    problems: perProblem.size,
    pairsPerProblem: describe(entries.map((e) => e.pairs)),
    distinctChosenPerProblem: describe(entries.map((e) => e.chosen.size)),
    scoreGap: { ...describe(gaps), histogram: { edges: GAP_EDGES, counts } },
    chosenScore: describe(pairs.flatMap((p) => (typeof p.chosenScore === 'number' ? [p.chosenScore] : []))),
    rejectedScore: describe(pairs.flatMap((p) => (typeof p.rejectedScore === 'number' ? [p.rejectedScore] : []))),
    statusMix,
  };
}

/** Counters a strategy keeps across pair() calls: what it saw and why it made no pair. */
export class StrategyCounters {
  readonly counts: Record<string, number> = { problems: 0, problemsWithPairs: 0, candidates: 0, duplicatesDropped: 0 };

  add(name: string, by = 1): void {
    this.counts[name] = (this.counts[name] ?? 0) + by;
  }
}
