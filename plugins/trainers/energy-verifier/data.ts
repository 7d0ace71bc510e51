// Labelled samples -> per-problem groups (all-pass / all-fail problems counted and kept out of pair
// sampling) and seeded (passing, failing) pairs of the same problem.
import type { LabelledSample } from 'crucible-ml';
import { deriveSeed, SeededRng } from 'crucible-ml/util';

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

/**
 * Packs an epoch's pairs into steps of at most `maxSequences` distinct candidates, keeping a problem's
 * pairs together: a candidate in several pairs is encoded once per step, not once per pair (a passing
 * one sits in `negativesPerPositive` pairs). A problem larger than one step is split.
 */
export function packBatches(pairs: readonly Pair[], samples: readonly LabelledSample[], maxSequences: number): Pair[][] {
  const byProblem = new Map<string, Pair[]>();
  for (const p of pairs) {
    const id = samples[p.pos].problemId;
    const list = byProblem.get(id);
    if (list) list.push(p);
    else byProblem.set(id, [p]);
  }
  const out: Pair[][] = [];
  let batch: Pair[] = [];
  let seen = new Set<number>();
  const flush = () => {
    if (batch.length) out.push(batch);
    batch = [];
    seen = new Set();
  };
  for (const list of byProblem.values()) {
    const ids = new Set(list.flatMap((p) => [p.pos, p.neg]));
    if (seen.size + ids.size > maxSequences) flush();
    for (const p of list) {
      const extra = (seen.has(p.pos) ? 0 : 1) + (seen.has(p.neg) ? 0 : 1);
      if (seen.size + extra > Math.max(2, maxSequences)) flush();
      batch.push(p);
      seen.add(p.pos);
      seen.add(p.neg);
    }
  }
  flush();
  return out;
}
