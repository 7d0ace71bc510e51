// Labelled samples -> per-problem groups (all-pass / all-fail problems counted and kept out of pair
// sampling) and seeded (passing, failing) pairs of the same problem.
import type { LabelledSample } from '../../../core/contract/data.js';
import { deriveSeed, SeededRng } from '../../../core/services/rng.js';

export interface ProblemGroup {
  problemId: string;
  /** Indices into the sample list. */
  pos: number[];
  neg: number[];
}

export interface GroupStats {
  samples: number;
  problems: number;
  passing: number;
  failing: number;
  allPass: number;
  allFail: number;
  /** Problems with at least one passing and one failing candidate: the only ones pairs come from. */
  mixed: number;
}

export interface Pair {
  pos: number;
  neg: number;
  /** Margin multiplier: 1, or passRate(pos) - passRate(neg) with marginScale "pass-rate-gap". */
  scale: number;
}

export function groupByProblem(samples: readonly LabelledSample[]): { groups: ProblemGroup[]; stats: GroupStats } {
  const byId = new Map<string, ProblemGroup>();
  samples.forEach((s, i) => {
    let g = byId.get(s.problemId);
    if (!g) byId.set(s.problemId, (g = { problemId: s.problemId, pos: [], neg: [] }));
    (s.label === 1 ? g.pos : g.neg).push(i);
  });
  const all = [...byId.values()];
  const groups = all.filter((g) => g.pos.length > 0 && g.neg.length > 0);
  const passing = samples.filter((s) => s.label === 1).length;
  return {
    groups,
    stats: {
      samples: samples.length,
      problems: all.length,
      passing,
      failing: samples.length - passing,
      allPass: all.filter((g) => g.neg.length === 0).length,
      allFail: all.filter((g) => g.pos.length === 0).length,
      mixed: groups.length,
    },
  };
}

export interface PairOptions {
  negativesPerPositive: number;
  maxPairsPerProblem: number;
  marginScale: 'fixed' | 'pass-rate-gap';
}

/** One epoch's pairs: a pure function of (seed, epoch), so a resumed run samples the same ones. */
export function samplePairs(samples: readonly LabelledSample[], groups: readonly ProblemGroup[], o: PairOptions, seed: number, epoch: number): Pair[] {
  const rng = new SeededRng(deriveSeed(seed, `pairs:${epoch}`));
  const out: Pair[] = [];
  for (const g of groups) {
    let pairs: Pair[] = [];
    for (const pos of g.pos) {
      for (const neg of rng.sample(g.neg, Math.min(o.negativesPerPositive, g.neg.length))) {
        const gap = samples[pos].passRate - samples[neg].passRate;
        pairs.push({ pos, neg, scale: o.marginScale === 'pass-rate-gap' ? Math.max(0, gap) : 1 });
      }
    }
    if (o.maxPairsPerProblem > 0 && pairs.length > o.maxPairsPerProblem) pairs = rng.sample(pairs, o.maxPairsPerProblem);
    out.push(...pairs);
  }
  return rng.shuffle(out);
}

/** Every (passing, failing) pair of each problem: the validation ranking accuracy's denominator. */
export function allPairs(groups: readonly ProblemGroup[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const g of groups) for (const p of g.pos) for (const n of g.neg) out.push([p, n]);
  return out;
}

/** The labelled.jsonl row of a sample (what a verifier learns from). */
export function labelledRow(s: LabelledSample): Record<string, unknown> {
  return { problemId: s.problemId, split: s.split, candidateId: s.candidateId, prompt: s.prompt, code: s.code, label: s.label, passRate: s.passRate, status: s.status };
}
