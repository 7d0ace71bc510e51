// pass@k, t-test and Wilcoxon against reference values computed once with scipy 1.17.1 (numbers pasted below;
// CI does not need scipy). Wilcoxon references: scipy.stats.wilcoxon(round(b - a, 12), zero_method="wilcox",
// correction=True, method="approx" when there are zeros or ties, method="exact" otherwise).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { passAtK } from '../../../plugins/evaluators/stats/pass-at-k.js';
import { meanCi95, minimalDetectableEffect, pairedTTest, problemsForEffect, wilcoxonSignedRank } from '../../../plugins/evaluators/stats/significance.js';

const close = (actual: number, expected: number, tol = 1e-12, what = '') =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what} expected ${expected}, got ${actual}`);

// (n, c, k) -> 1 - C(n-c, k) / C(n, k), from Python's math.comb.
const PASS_AT_K: Array<[number, number, number, number]> = [
  [10, 0, 1, 0], [10, 0, 10, 0], // c = 0
  [10, 10, 1, 1], [10, 10, 10, 1], [1, 1, 1, 1], // c = n
  [10, 3, 10, 1], [10, 8, 5, 1], [5, 1, 5, 1], // n - c < k
  [10, 3, 1, 0.30000000000000004], [10, 3, 5, 0.9166666666666666], [20, 5, 10, 0.9837461300309598],
  [200, 13, 1, 0.06499999999999995], [200, 13, 10, 0.4975511147306061], [200, 13, 100, 0.9999194971988055],
  [1, 0, 1, 0],
];

test('pass@k matches the combinatorial reference, edge cases included', () => {
  for (const [n, c, k, expected] of PASS_AT_K) close(passAtK(n, c, k), expected, 1e-12, `pass@${k}(n=${n}, c=${c})`);
});

test('pass@k is NaN when k > n and rejects impossible counts', () => {
  assert.ok(Number.isNaN(passAtK(5, 2, 10)));
  assert.throws(() => passAtK(5, 6, 1), /c <= n/);
  assert.throws(() => passAtK(5, 1, 0), /k >= 1/);
});

const A1 = [0.1, 0.4, 0.3, 0.0, 0.9, 0.5, 0.2, 0.7];
const B1 = [0.3, 0.5, 0.3, 0.2, 1.0, 0.4, 0.6, 0.9];
const A2 = [1.2, 3.4, 2.2, 5.1, 0.3, 4.4, 2.9, 3.3, 1.8, 0.7];
const B2 = [1.9, 3.1, 2.95, 6.4, 0.85, 5.0, 2.7, 4.5, 2.2, 1.75];
const A3 = [1, 0.6, 0.7, 0.9, 0.6, 0.8, 0.9, 0.2, 0, 0.3, 0.3, 0.9, 1, 0, 0.5, 0.9, 0.1, 0.8, 0.1, 0.5, 0.8, 0.3, 0.3, 0.3, 0.7, 0.2, 1, 0.4, 0.5, 0.5];
const B3 = [1, 0.6, 0.7, 1, 0.8, 1, 1, 0.2, 0, 0.6, 0.3, 0.8, 1, 0, 0.7, 0.9, 0, 0.6, 0.1, 0.3, 0.7, 0.3, 0.6, 0.3, 0.9, 0.5, 1, 0.5, 0.5, 0.5];

test('paired t-test matches scipy.stats.ttest_rel(b, a) with its 95% CI', () => {
  const cases: Array<[number[], number[], number, number, number, [number, number]]> = [
    [A1, B1, 2.5824971129863203, 0.03633983911945611, 7, [0.011600213719878766, 0.2633997862801213]],
    [A2, B2, 3.575183647357019, 0.0059755889920923, 9, [0.2221930679687839, 0.9878069320312165]],
    [A3, B3, 1.783368255898192, 0.08499672298765688, 29, [-0.0063628623529096776, 0.09302952901957634]],
  ];
  for (const [a, b, t, p, df, ci] of cases) {
    const r = pairedTTest(a, b);
    close(r.t, t, 1e-9, 't');
    close(r.p, p, 1e-9, 'p');
    assert.is(r.df, df);
    close(r.ci95[0], ci[0], 1e-9, 'ci low');
    close(r.ci95[1], ci[1], 1e-9, 'ci high');
  }
});

test('Wilcoxon signed-rank matches scipy.stats.wilcoxon', () => {
  const w1 = wilcoxonSignedRank(A1, B1); // one zero, ties -> normal approximation
  assert.is(w1.statistic, 2);
  close(w1.p, 0.048582930923358435, 1e-9, 'p1');
  assert.is(w1.zeros, 1);
  assert.is(w1.method, 'normal approximation (continuity-corrected)');
  const w2 = wilcoxonSignedRank(A2, B2); // no zeros, no ties -> exact
  assert.is(w2.statistic, 3);
  close(w2.p, 0.009765625, 1e-12, 'p2');
  assert.is(w2.method, 'exact');
  const w3 = wilcoxonSignedRank(A3, B3); // pass@1-like: many zeros and ties
  assert.is(w3.statistic, 29.5);
  close(w3.p, 0.083649966887296, 1e-9, 'p3');
});

test('degenerate inputs give defined results with a note, not NaN surprises', () => {
  const same = pairedTTest([0.1, 0.2, 0.3], [0.1, 0.2, 0.3]);
  assert.is(same.p, 1);
  assert.ok(same.note);
  const w = wilcoxonSignedRank([0.1, 0.2], [0.1, 0.2]);
  assert.is(w.p, 1);
  assert.is(w.method, 'none');
  assert.throws(() => pairedTTest([1, 2], [1]), /equal lengths/);
});

test('one-sample 95% CI of a mean matches scipy.stats.ttest_1samp(...).confidence_interval()', () => {
  const [lo, hi] = meanCi95(A1);
  close(lo, 0.1329888511605795, 1e-9, 'lo');
  close(hi, 0.6420111488394205, 1e-9, 'hi');
});

// References: (scipy.stats.t.ppf(0.975, n-1) + scipy.stats.t.ppf(0.8, n-1)) * sd / sqrt(n).
test('minimal detectable effect (80% power, two-sided 0.05) matches the scipy formula, and every t-test carries it', () => {
  close(minimalDetectableEffect(0.137, 60), 0.050384793449411505, 1e-9, 'n 60');
  close(minimalDetectableEffect(0.137, 300), 0.022232222749703736, 1e-9, 'n 300');
  assert.ok(Number.isNaN(minimalDetectableEffect(0.1, 1)));
  const a = [0, 0, 0, 0, 0, 0, 0, 0];
  const b = [0.1, -0.2, 0.3, 0.0, 0.1, 0.4, -0.1, 0.2];
  const t = pairedTTest(a, b);
  close(t.sdDifference, 0.2, 1e-12, 'sd');
  close(t.mde80, 0.23056304808978562, 1e-9, 'mde of 8 differences');
  // the smallest n whose MDE is at most the effect
  const n = problemsForEffect(0.137, 0.03);
  assert.ok(minimalDetectableEffect(0.137, n) <= 0.03 && minimalDetectableEffect(0.137, n - 1) > 0.03);
});

test.run();
