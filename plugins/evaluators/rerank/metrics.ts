// Rerank metrics (pure): per problem, which candidate each reranker picks and whether it passes; over
// problems, the means, the share of the random-to-oracle gap recovered, and paired tests against random.
import { meanCi95, pairedTTest, wilcoxonSignedRank, type TTestResult, type WilcoxonResult } from '../stats/index.js';
import type { ComparisonSummary, EvaluationSummary, ModelSummary } from 'crucible-ml';

export interface ProblemCandidates {
  problemId: string;
  /** 1 when the candidate passes all tests. */
  passes: Array<0 | 1>;
  /** The verifier's energy per candidate (lower = more likely to pass). */
  energies: number[];
  /** Summed completion log-prob per candidate, when the generator reports it. */
  logprobs?: Array<number | undefined>;
  /** Completion token count per candidate, for the mean log-prob per token. */
  tokens?: Array<number | undefined>;
}

export interface ProblemRerank {
  problemId: string;
  k: number;
  passing: number;
  /** Expected pass rate of a uniformly random pick: passing / k. */
  random: number;
  /** Whether the lowest-energy candidate passes (ties: the lowest index). */
  verifier: 0 | 1;
  verifierPick: number;
  /** Whether the highest mean-log-prob-per-token candidate passes; undefined without log-probs. */
  logprob?: 0 | 1;
  logprobPick?: number;
  /** Any candidate passes. */
  oracle: 0 | 1;
  /** Mean energy of passing / failing candidates (NaN when there are none). */
  energyPass: number;
  energyFail: number;
}

export interface RerankerSummary {
  pass1: number;
  ci95: [number, number];
  /** (reranker - random) / (oracle - random), as a ratio of means; NaN when the oracle equals random. */
  gapRecovered: number;
  vsRandom: { ttest: TTestResult; wilcoxon: WilcoxonResult };
}

export interface RerankSummary {
  problems: number;
  k: number;
  random: { pass1: number; ci95: [number, number] };
  oracle: { passK: number };
  verifier: RerankerSummary;
  /** Absent when the generator gave no log-probs. */
  logprob?: RerankerSummary;
  /** The verifier against the log-prob reranker, paired over problems (with `logprob`). */
  verifierVsLogprob?: { ttest: TTestResult; wilcoxon: WilcoxonResult };
}

/** Index of the smallest value; ties (and NaN, treated as +inf) go to the lowest index. */
export function argmin(values: readonly number[]): number {
  let best = -1;
  let bestValue = Number.POSITIVE_INFINITY;
  values.forEach((v, i) => {
    const x = Number.isNaN(v) ? Number.POSITIVE_INFINITY : v;
    if (best < 0 || x < bestValue) {
      best = i;
      bestValue = x;
    }
  });
  return best;
}

const meanOf = (xs: readonly number[]) => (xs.length ? xs.reduce((s, v) => s + v, 0) / xs.length : Number.NaN);

/** Mean log-prob per token, the baseline reranker's score (higher = preferred). */
function logprobScores(p: ProblemCandidates): number[] | undefined {
  if (!p.logprobs || p.logprobs.length !== p.passes.length || p.logprobs.some((v) => typeof v !== 'number' || !Number.isFinite(v))) return undefined;
  return p.logprobs.map((lp, i) => (lp as number) / Math.max(1, p.tokens?.[i] ?? 1));
}

export function rerankProblem(p: ProblemCandidates): ProblemRerank {
  const k = p.passes.length;
  if (k === 0) throw new RangeError(`${p.problemId}: no candidates to rerank`);
  if (p.energies.length !== k) throw new RangeError(`${p.problemId}: ${p.energies.length} energies for ${k} candidates`);
  const passing = p.passes.reduce<number>((s, v) => s + v, 0);
  const verifierPick = argmin(p.energies);
  const out: ProblemRerank = {
    problemId: p.problemId,
    k,
    passing,
    random: passing / k,
    verifier: p.passes[verifierPick],
    verifierPick,
    oracle: passing > 0 ? 1 : 0,
    energyPass: meanOf(p.energies.filter((_, i) => p.passes[i] === 1)),
    energyFail: meanOf(p.energies.filter((_, i) => p.passes[i] === 0)),
  };
  const lp = logprobScores(p);
  if (lp) {
    out.logprobPick = argmin(lp.map((v) => -v));
    out.logprob = p.passes[out.logprobPick];
  }
  return out;
}

function summarizeReranker(scores: number[], random: number[], oracleMean: number): RerankerSummary {
  const pass1 = meanOf(scores);
  const randomMean = meanOf(random);
  const gap = oracleMean - randomMean;
  return {
    pass1,
    ci95: meanCi95(scores),
    gapRecovered: gap > 1e-12 ? (pass1 - randomMean) / gap : Number.NaN,
    vsRandom: { ttest: pairedTTest(random, scores), wilcoxon: wilcoxonSignedRank(random, scores) },
  };
}

export function summarize(results: ProblemRerank[]): RerankSummary {
  if (results.length === 0) throw new RangeError('no problems to summarize');
  const random = results.map((r) => r.random);
  const oracleMean = meanOf(results.map((r) => r.oracle));
  const summary: RerankSummary = {
    problems: results.length,
    k: Math.max(...results.map((r) => r.k)),
    random: { pass1: meanOf(random), ci95: meanCi95(random) },
    oracle: { passK: oracleMean },
    verifier: summarizeReranker(results.map((r) => r.verifier), random, oracleMean),
  };
  // The log-prob baseline only when every problem has it: a partial baseline would compare other problems.
  if (results.every((r) => r.logprob !== undefined)) {
    const logprob = results.map((r) => r.logprob as number);
    const verifier = results.map((r) => r.verifier as number);
    summary.logprob = summarizeReranker(logprob, random, oracleMean);
    // Does the verifier add anything over the free baseline, not only over a random pick?
    summary.verifierVsLogprob = { ttest: pairedTTest(logprob, verifier), wilcoxon: wilcoxonSignedRank(logprob, verifier) };
  }
  return summary;
}

/** Flat numbers for the run index; undefined statistics are left out (they stay in details). */
export function headlineOf(s: RerankSummary): Record<string, number> {
  const h: Record<string, number> = {
    'random_pass@1': s.random.pass1,
    'verifier_pass@1': s.verifier.pass1,
    [`oracle_pass@${s.k}`]: s.oracle.passK,
    gap_recovered: s.verifier.gapRecovered,
    verifier_vs_random_p: s.verifier.vsRandom.ttest.p,
    // The minimal detectable effect (80% power) of that paired test, shown beside its p-value.
    verifier_vs_random_mde80: s.verifier.vsRandom.ttest.mde80,
    verifier_vs_random_wilcoxon_p: s.verifier.vsRandom.wilcoxon.p,
    problems: s.problems,
  };
  if (s.logprob) {
    h['logprob_pass@1'] = s.logprob.pass1;
    h.logprob_gap_recovered = s.logprob.gapRecovered;
    h.logprob_vs_random_p = s.logprob.vsRandom.ttest.p;
    h.logprob_vs_random_mde80 = s.logprob.vsRandom.ttest.mde80;
  }
  if (s.verifierVsLogprob) {
    h.verifier_vs_logprob_p = s.verifierVsLogprob.ttest.p;
    h.verifier_vs_logprob_mde80 = s.verifierVsLogprob.ttest.mde80;
  }
  for (const [key, value] of Object.entries(h)) if (!Number.isFinite(value)) delete h[key];
  return h;
}

const changeOf = (a: number, b: number) => ({ a, b, absolute: b - a, relative: a === 0 ? null : (b - a) / a });

/** The kernel's typed summary: each reranker's pass@1 as a model, and each against random with its paired tests. */
export function evaluationSummaryOf(s: RerankSummary, sampling: { k: number; temperature: number; topP: number; seed: number }): EvaluationSummary {
  const rerankers = [['verifier', s.verifier], ...(s.logprob ? [['logprob', s.logprob] as const] : [])] as Array<readonly [string, RerankerSummary]>;
  const models: ModelSummary[] = [
    { label: 'random', metrics: { 'pass@1': { value: s.random.pass1, ci95: s.random.ci95 } } },
    ...rerankers.map(([label, r]): ModelSummary => ({ label, metrics: { 'pass@1': { value: r.pass1, ci95: r.ci95 }, gap_recovered: { value: r.gapRecovered } } })),
    { label: 'oracle', metrics: { [`pass@${s.k}`]: { value: s.oracle.passK } } },
  ];
  const comparisons: ComparisonSummary[] = rerankers.map(([label, r]) => ({
    a: 'random', b: label, problems: s.problems, metrics: { 'pass@1': { ...changeOf(s.random.pass1, r.pass1), test: r.vsRandom } },
  }));
  if (s.logprob && s.verifierVsLogprob) {
    comparisons.push({ a: 'logprob', b: 'verifier', problems: s.problems, metrics: { 'pass@1': { ...changeOf(s.logprob.pass1, s.verifier.pass1), test: s.verifierVsLogprob } } });
  }
  return { models, comparisons, sampling: `best of k = ${sampling.k} candidates per problem, temperature ${sampling.temperature}, top-p ${sampling.topP}, seed ${sampling.seed}.` };
}
