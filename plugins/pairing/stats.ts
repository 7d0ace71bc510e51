// Counters a strategy keeps across pair() calls (what it saw and why it made no pair), reported as its own
// statistics; the kernel computes the statistics every pairing plugin gets (pairs per problem, gaps, status mix).

/** Counters a strategy keeps across pair() calls: what it saw and why it made no pair. */
export class StrategyCounters {
  readonly counts: Record<string, number> = { problems: 0, problemsWithPairs: 0, candidates: 0, duplicatesDropped: 0 };

  add(name: string, by = 1): void {
    this.counts[name] = (this.counts[name] ?? 0) + by;
  }
}
