// all-pairs: every pair (i, j) of a problem's candidates whose scores differ by at least minGap; the higher is chosen.
import { definePlugin } from 'crucible-ml';
import type { PreferencePair } from 'crucible-ml';
import { byRank, candidatePool, EPS, fmt, makePair } from './common.js';
import { StrategyCounters } from './stats.js';

export default definePlugin({
  kind: 'pairing',
  name: 'all-pairs',
  version: '1.0.0',
  apiVersion: '^1',
  description: 'every pair of candidates with |score_i - score_j| >= minGap; chosen = higher score',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      minGap: { type: 'number', minimum: 0, maximum: 1, default: 0.1 },
      dedupe: { type: 'boolean', default: true, description: 'drop exact-duplicate completions first' },
      maxPairsPerProblem: { type: 'integer', minimum: 0, default: 0, description: 'cap per problem by seeded sampling; 0 = no cap' },
      chosenMin: { type: 'number', minimum: 0, maximum: 1, default: 0, description: 'chosen score at least this (AceCoder: 0.8)' },
      rejectedMin: { type: 'number', minimum: 0, maximum: 1, default: 0, description: 'rejected score at least this' },
      rejectedMax: { type: 'number', minimum: 0, maximum: 1, default: 1, description: 'rejected score at most this' },
    },
  } as const,
  create(config, ctx) {
    const o = config;
    const counters = new StrategyCounters();
    return {
      pair(problem, scored) {
        let pool = candidatePool(scored, o.dedupe, counters);
        pool = [...pool].sort(byRank); // i before j means score_i >= score_j
        const pairs: PreferencePair[] = [];
        for (let i = 0; i < pool.length; i++) {
          for (let j = i + 1; j < pool.length; j++) {
            const [hi, lo] = [pool[i], pool[j]];
            const gap = hi.score - lo.score;
            if (gap + EPS < o.minGap || gap <= 0) { counters.add('belowMinGap'); continue; }
            if (hi.score + EPS < o.chosenMin) { counters.add('belowChosenMin'); continue; }
            if (lo.score + EPS < o.rejectedMin) { counters.add('belowRejectedMin'); continue; }
            if (lo.score - EPS > o.rejectedMax) { counters.add('aboveRejectedMax'); continue; }
            pairs.push(makePair(problem, hi, lo, `all-pairs: score ${fmt(hi.score)} vs ${fmt(lo.score)} (gap ${fmt(gap)})`));
          }
        }
        let out = pairs;
        if (o.maxPairsPerProblem > 0 && pairs.length > o.maxPairsPerProblem) {
          // Seeded per problem: the same problem gets the same sample whatever else is in the run.
          const keep = new Set(ctx.rng.fork(`all-pairs:${problem.id}`).sample(pairs.map((_, i) => i), o.maxPairsPerProblem));
          out = pairs.filter((_, i) => keep.has(i));
          counters.add('cappedOut', pairs.length - out.length);
        }
        if (out.length) counters.add('problemsWithPairs');
        return out;
      },
      finalize(pairs) {
        return { pairs, stats: { candidates: counters.counts } };
      },
    };
  },
});
