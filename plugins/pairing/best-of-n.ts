// best-of-n: the best of a problem's k candidates paired with each of the other k - 1 as negatives,
// optionally only hard negatives (close in edit distance to the chosen, or likely under the sampling model).
import { distance } from 'fastest-levenshtein';
import { definePlugin } from 'crucible-ml';
import type { PreferencePair, ScoredCandidate } from 'crucible-ml';
import { byRank, candidatePool, EPS, fmt, makePair } from './common.js';
import { StrategyCounters } from './stats.js';

/** Levenshtein distance over the longer length: 0 identical, 1 nothing in common. */
export function normalizedEditDistance(a: string, b: string): number {
  const longest = Math.max(a.length, b.length);
  return longest === 0 ? 0 : distance(a, b) / longest;
}

/** The sampling model's mean token log-prob of a candidate, when the generator reported it. */
export function meanLogprob(s: ScoredCandidate): number | undefined {
  const { logprob, tokens } = s.candidate;
  if (typeof logprob !== 'number' || !Number.isFinite(logprob)) return undefined;
  return tokens && tokens > 0 ? logprob / tokens : logprob;
}

export default definePlugin({
  kind: 'pairing',
  name: 'best-of-n',
  version: '1.0.0',
  apiVersion: '^1',
  description: 'the best candidate of each problem vs each other candidate (k - 1 pairs), optionally hard negatives only',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      minGap: { type: 'number', minimum: 0, maximum: 1, default: 0.1, description: 'best score minus negative score at least this' },
      chosenMin: { type: 'number', minimum: 0, maximum: 1, default: 0, description: 'no pairs for a problem whose best is below this' },
      rejectedMin: { type: 'number', minimum: 0, maximum: 1, default: 0 },
      dedupe: { type: 'boolean', default: true, description: 'drop exact-duplicate completions first' },
      hardNegatives: {
        type: 'object',
        additionalProperties: false,
        default: {},
        description: 'keep only negatives meeting any configured threshold; none configured keeps all',
        properties: {
          maxEditDistance: { type: 'number', minimum: 0, maximum: 1, description: 'normalized Levenshtein distance to the chosen at most this' },
          minMeanLogprob: { type: 'number', description: 'the sampling model\'s mean token log-prob (candidate.logprob / tokens) at least this' },
        },
      },
    },
  } as const,
  create(config) {
    const o = config;
    const hardFilter = o.hardNegatives.maxEditDistance !== undefined || o.hardNegatives.minMeanLogprob !== undefined;
    const counters = new StrategyCounters();
    return {
      pair(problem, scored) {
        const pool = candidatePool(scored, o.dedupe, counters);
        if (pool.length < 2) return [];
        const [best, ...others] = [...pool].sort(byRank); // ties for best: lowest index, then id
        if (best.score + EPS < o.chosenMin) { counters.add('bestBelowChosenMin'); return []; }
        const pairs: PreferencePair[] = [];
        for (const neg of others) {
          const gap = best.score - neg.score;
          if (gap + EPS < o.minGap || gap <= 0) { counters.add('belowMinGap'); continue; }
          if (neg.score + EPS < o.rejectedMin) { counters.add('belowRejectedMin'); continue; }
          const edit = normalizedEditDistance(best.candidate.completion, neg.candidate.completion);
          const lp = meanLogprob(neg);
          if (hardFilter) {
            const close = o.hardNegatives.maxEditDistance !== undefined && edit <= o.hardNegatives.maxEditDistance + EPS;
            const likely = o.hardNegatives.minMeanLogprob !== undefined && lp !== undefined && lp >= o.hardNegatives.minMeanLogprob;
            if (o.hardNegatives.minMeanLogprob !== undefined && lp === undefined) counters.add('negativesWithoutLogprob');
            if (!close && !likely) { counters.add('notHard'); continue; }
          }
          const why = `best-of-n: best of ${pool.length} (score ${fmt(best.score)}) vs ${fmt(neg.score)}; edit distance ${fmt(edit)}${lp !== undefined ? `; mean logprob ${fmt(lp)}` : ''}`;
          pairs.push(makePair(problem, best, neg, why));
        }
        if (pairs.length) counters.add('problemsWithPairs');
        return pairs;
      },
      finalize(pairs) {
        return { pairs, stats: { candidates: counters.counts } };
      },
    };
  },
});
