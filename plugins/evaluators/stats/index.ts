// Public statistics API: the estimator, the paired tests and the comparison of saved evaluations.
export { passAtK, mean, median } from './pass-at-k.js';
export { pairedTTest, wilcoxonSignedRank, meanCi95, pairedDifferences, type TTestResult, type WilcoxonResult } from './significance.js';
export { compareEvaluations, compareSavedEvaluations, pickModelEvaluation, change } from './compare.js';
export type * from './types.js';
