// Paired significance tests over per-problem scores, through @stdlib (a maintained stats library).
// Differences are b - a: with a = base and b = trained, a positive mean difference is an improvement.
import ttest from '@stdlib/stats-ttest';
import wilcoxon from '@stdlib/stats-wilcoxon';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

export interface TTestResult {
  test: 'paired t-test';
  n: number;
  t: number;
  df: number;
  p: number;
  meanDifference: number;
  /** 95% confidence interval of the mean difference (b - a). */
  ci95: [number, number];
  /** Standard deviation of the per-problem differences. */
  sdDifference: number;
  /**
   * Minimal detectable effect: the smallest true mean difference this test detects with 80% power at two-sided
   * alpha 0.05, given n and the observed spread of the differences: (t_0.975 + t_0.80) * sd / sqrt(n).
   */
  mde80: number;
  note?: string;
}

/** Minimal detectable effect of a paired t-test (80% power, two-sided alpha 0.05) for n problems with this sd of differences. */
export function minimalDetectableEffect(sd: number, n: number, power = 0.8, alpha = 0.05): number {
  if (n < 2 || !Number.isFinite(sd)) return Number.NaN;
  const df = n - 1;
  return ((tQuantile(1 - alpha / 2, df) + tQuantile(power, df)) * sd) / Math.sqrt(n);
}

/** Problems needed for a paired t-test to detect `effect` with 80% power at two-sided 0.05, given the sd of differences. */
export function problemsForEffect(sd: number, effect: number, power = 0.8, alpha = 0.05): number {
  let n = 2;
  while (n < 1e6 && minimalDetectableEffect(sd, n, power, alpha) > effect) n++;
  return n;
}

function sdOf(values: readonly number[]): number {
  const n = values.length;
  if (n < 2) return Number.NaN;
  const m = values.reduce((s, v) => s + v, 0) / n;
  return Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / (n - 1));
}

export interface WilcoxonResult {
  test: 'Wilcoxon signed-rank';
  /** Pairs used (zero differences are dropped: zero_method "wilcox"). */
  n: number;
  zeros: number;
  /** Sum of ranks of positive differences (b > a). */
  wPlus: number;
  wMinus: number;
  /** min(W+, W-), the statistic scipy reports for a two-sided test. */
  statistic: number;
  p: number;
  method: 'exact' | 'normal approximation (continuity-corrected)' | 'none';
  note?: string;
}

function checkPaired(a: readonly number[], b: readonly number[]): void {
  if (a.length !== b.length) throw new RangeError(`paired tests need equal lengths (got ${a.length} and ${b.length})`);
}

/** b - a rounded to 12 decimals: 0.3 - 0.1 and 0.5 - 0.3 must tie (and cancel) as ranks, not differ in the 17th digit. */
export function pairedDifferences(a: readonly number[], b: readonly number[]): number[] {
  checkPaired(a, b);
  return b.map((v, i) => Math.round((v - a[i]) * 1e12) / 1e12);
}

/** Paired t-test of b against a (scipy.stats.ttest_rel(b, a)), with the 95% CI of the mean difference. */
export function pairedTTest(a: readonly number[], b: readonly number[]): TTestResult {
  const diffs = pairedDifferences(a, b);
  const n = diffs.length;
  const meanDifference = n ? diffs.reduce((s, v) => s + v, 0) / n : Number.NaN;
  if (n < 2) {
    return { test: 'paired t-test', n, t: Number.NaN, df: Math.max(0, n - 1), p: Number.NaN, meanDifference, ci95: [Number.NaN, Number.NaN], sdDifference: Number.NaN, mde80: Number.NaN, note: 'needs at least 2 problems' };
  }
  const sdDifference = sdOf(diffs);
  const mde80 = minimalDetectableEffect(sdDifference, n);
  if (diffs.every((d) => d === diffs[0])) {
    // Zero variance: the t statistic is undefined (all equal to 0) or infinite; say so instead of returning NaN silently.
    const none = diffs[0] === 0;
    return {
      test: 'paired t-test', n, t: none ? 0 : Math.sign(diffs[0]) * Number.POSITIVE_INFINITY, df: n - 1, p: none ? 1 : 0,
      meanDifference, ci95: [meanDifference, meanDifference], sdDifference, mde80,
      note: none ? 'identical scores on every problem' : 'the same difference on every problem (zero variance)',
    };
  }
  const r = ttest(Float64Array.from(diffs), { alpha: 0.05 }); // one-sample on the differences = paired
  return { test: 'paired t-test', n, t: r.statistic, df: r.df, p: r.pValue, meanDifference: r.mean, ci95: [r.ci[0], r.ci[1]], sdDifference, mde80 };
}

function hasTies(values: readonly number[]): boolean {
  const abs = values.map((v) => Math.abs(v)).sort((x, y) => x - y);
  return abs.some((v, i) => i > 0 && v === abs[i - 1]);
}

/**
 * Two-sided Wilcoxon signed-rank test of b against a. Matches scipy.stats.wilcoxon(b, a, zero_method="wilcox",
 * correction=True) with method="exact" when n <= 50 and there are no zeros or ties, method="approx" otherwise
 * (that is @stdlib's rule).
 */
export function wilcoxonSignedRank(a: readonly number[], b: readonly number[]): WilcoxonResult {
  const diffs = pairedDifferences(a, b);
  const nonZero = diffs.filter((d) => d !== 0);
  const zeros = diffs.length - nonZero.length;
  if (nonZero.length === 0) {
    return { test: 'Wilcoxon signed-rank', n: 0, zeros, wPlus: 0, wMinus: 0, statistic: 0, p: diffs.length ? 1 : Number.NaN, method: 'none', note: 'no non-zero differences' };
  }
  if (diffs.length < 2) {
    return { test: 'Wilcoxon signed-rank', n: nonZero.length, zeros, wPlus: Number.NaN, wMinus: Number.NaN, statistic: Number.NaN, p: Number.NaN, method: 'none', note: 'needs at least 2 problems' };
  }
  const r = wilcoxon(Float64Array.from(diffs), { zeroMethod: 'wilcox', correction: true, alternative: 'two-sided' });
  const m = nonZero.length;
  const wPlus = r.statistic;
  const wMinus = (m * (m + 1)) / 2 - wPlus;
  const exact = !(m > 50 || zeros > 0 || hasTies(nonZero));
  return {
    test: 'Wilcoxon signed-rank', n: m, zeros, wPlus, wMinus, statistic: Math.min(wPlus, wMinus), p: Math.min(1, r.pValue),
    method: exact ? 'exact' : 'normal approximation (continuity-corrected)',
  };
}

/** A one-sample 95% t confidence interval of a mean (for one model's pass@k over problems). */
export function meanCi95(values: readonly number[]): [number, number] {
  const n = values.length;
  if (n === 0) return [Number.NaN, Number.NaN];
  const m = values.reduce((s, v) => s + v, 0) / n;
  if (n < 2 || values.every((v) => v === values[0])) return [m, m];
  const r = ttest(Float64Array.from(values), { alpha: 0.05 });
  return [r.ci[0], r.ci[1]];
}
