// Helpers both strategies share: duplicate removal, ranking and the pair record (gates and statistics are the kernel's).
import type { PreferencePair, Problem, ScoredCandidate } from 'crucible-ml';
import type { StrategyCounters } from './stats.js';

/** Float slack for gap thresholds: 0.3 - 0.2 must count as a gap of 0.1. */
export const EPS = 1e-9;

const codeKey = (s: ScoredCandidate) => s.candidate.completion.split('\n').map((l) => l.trimEnd()).join('\n').trim();

/** Drops exact-duplicate completions (whitespace at line ends aside), keeping the best-scored, then the earliest. */
export function dedupe(scored: ScoredCandidate[]): { unique: ScoredCandidate[]; dropped: number } {
  const best = new Map<string, ScoredCandidate>();
  for (const s of scored) {
    const key = codeKey(s);
    const prev = best.get(key);
    if (!prev || s.score > prev.score) best.set(key, s);
  }
  const keep = new Set(best.values());
  const unique = scored.filter((s) => keep.has(s));
  return { unique, dropped: scored.length - unique.length };
}

/** Deterministic order: higher score, then lower index, then id. */
/** The candidates a strategy pairs: finite scores only, exact-duplicate code dropped (and counted) when asked. */
export function candidatePool(scored: ScoredCandidate[], dedupeCode: boolean, counters: StrategyCounters): ScoredCandidate[] {
  counters.add('problems');
  counters.add('candidates', scored.length);
  const pool = scored.filter((s) => Number.isFinite(s.score));
  if (!dedupeCode) return pool;
  const d = dedupe(pool);
  counters.add('duplicatesDropped', d.dropped);
  return d.unique;
}

export function byRank(a: ScoredCandidate, b: ScoredCandidate): number {
  if (b.score !== a.score) return b.score - a.score;
  if (a.candidate.index !== b.candidate.index) return a.candidate.index - b.candidate.index;
  return a.candidate.id < b.candidate.id ? -1 : a.candidate.id > b.candidate.id ? 1 : 0;
}

export function makePair(problem: Problem, chosen: ScoredCandidate, rejected: ScoredCandidate, why: string): PreferencePair {
  const pair: PreferencePair = {
    prompt: chosen.candidate.prompt || problem.prompt,
    chosen: chosen.candidate.completion,
    rejected: rejected.candidate.completion,
    problemId: problem.id,
    chosenScore: chosen.score,
    rejectedScore: rejected.score,
    chosenId: chosen.candidate.id,
    rejectedId: rejected.candidate.id,
    why,
  };
  if (chosen.execution) pair.chosenStatus = chosen.execution.status;
  if (rejected.execution) pair.rejectedStatus = rejected.execution.status;
  return pair;
}

export const fmt = (v: number) => v.toFixed(2);
