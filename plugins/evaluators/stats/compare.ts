// Comparison of two evaluations over the same problems and sampling seed: changes of every metric and
// error category, plus per-problem paired t-test and Wilcoxon for each pass@k.
// Exported for `crucible compare <runA> <runB>` and the HTTP API, which call it on saved evaluations.
import { EXECUTION_STATUSES } from 'crucible-ml';
import { CrucibleError } from 'crucible-ml';
import { pairedTTest, wilcoxonSignedRank } from './significance.js';
import type { Change, Comparison, ModelEvaluation } from './types.js';

export function change(a: number, b: number): Change {
  return { a, b, absolute: b - a, relative: a === 0 ? null : (b - a) / a };
}

/** Compares b against a (a = base, b = trained). Throws CRUCIBLE_E_COMPARE on different problem sets or seeds. */
export function compareEvaluations(a: ModelEvaluation, b: ModelEvaluation): Comparison {
  assertComparable(a, b);
  const metrics: Record<string, Change> = {};
  const tests: Comparison['tests'] = {};
  const byIdB = new Map(b.perProblem.map((p) => [p.problemId, p]));
  const ordered = a.perProblem.map((p) => [p, byIdB.get(p.problemId)!] as const);
  for (const key of Object.keys(a.passAtK)) {
    if (!(key in b.passAtK)) continue; // a k estimated on one side only (different n) is not compared
    metrics[key] = change(a.passAtK[key].value, b.passAtK[key].value);
    const xs = ordered.map(([pa]) => pa.passAtK[key]);
    const ys = ordered.map(([, pb]) => pb.passAtK[key]);
    tests[key] = { ttest: pairedTTest(xs, ys), wilcoxon: wilcoxonSignedRank(xs, ys) };
  }
  metrics['compile_rate'] = change(a.compileRate, b.compileRate);
  metrics['mean_test_pass_rate'] = change(a.meanTestPassRate, b.meanTestPassRate);
  metrics['generation_ms_per_problem'] = change(a.timing.generationMs.mean, b.timing.generationMs.mean);
  metrics['execution_ms_per_problem'] = change(a.timing.executionMs.mean, b.timing.executionMs.mean);
  const taxonomy: Comparison['taxonomy'] = {};
  for (const status of EXECUTION_STATUSES) {
    taxonomy[status] = { ...change(a.taxonomy.shares[status], b.taxonomy.shares[status]), countA: a.taxonomy.counts[status], countB: b.taxonomy.counts[status] };
  }
  return { a: a.label, b: b.label, problems: a.problemIds.length, seed: a.sampling.seed, metrics, taxonomy, tests };
}

function assertComparable(a: ModelEvaluation, b: ModelEvaluation): void {
  const setA = new Set(a.problemIds);
  const setB = new Set(b.problemIds);
  const onlyA = a.problemIds.filter((id) => !setB.has(id));
  const onlyB = b.problemIds.filter((id) => !setA.has(id));
  if (onlyA.length || onlyB.length) {
    const sample = (ids: string[]) => ids.slice(0, 3).join(', ') + (ids.length > 3 ? ', ...' : '');
    throw new CrucibleError('CRUCIBLE_E_COMPARE', `the evaluations cover different problems (${onlyA.length} only in "${a.label}", ${onlyB.length} only in "${b.label}")`, [
      ...(onlyA.length ? [{ path: `${a.label}.problemIds`, message: `only in ${a.label}: ${sample(onlyA)}` }] : []),
      ...(onlyB.length ? [{ path: `${b.label}.problemIds`, message: `only in ${b.label}: ${sample(onlyB)}` }] : []),
      { message: 'a paired comparison needs the same test problems', hint: 'use the same dataset, split and split seed in both runs' },
    ]);
  }
  if (a.sampling.seed !== b.sampling.seed) {
    throw CrucibleError.at('CRUCIBLE_E_COMPARE', {
      path: 'evaluator.config.seed',
      message: `the evaluations used different sampling seeds (${a.sampling.seed} vs ${b.sampling.seed})`,
      hint: 'evaluate both with the same stages.evaluator.config.seed',
    });
  }
}

/** The evaluation of a saved run that a cross-run comparison uses: the trained model when there is one. */
export function pickModelEvaluation(details: unknown, which: 'final' | 'base' | 'trained' = 'final', label = 'run'): ModelEvaluation {
  const d = details as { base?: ModelEvaluation; trained?: ModelEvaluation } | undefined;
  const picked = which === 'base' ? d?.base : which === 'trained' ? d?.trained : d?.trained ?? d?.base;
  if (!picked || !Array.isArray(picked.perProblem) || !picked.passAtK) {
    throw CrucibleError.at('CRUCIBLE_E_COMPARE', {
      path: `${label}.evaluation.details${which === 'final' ? '' : `.${which}`}`,
      message: `${label} has no ${which === 'final' ? '' : `${which} `}pass-at-k evaluation to compare`,
      hint: 'both runs need a finished pass-at-k evaluator stage',
    });
  }
  return picked;
}

/** Compares two saved evaluations ({headline, details} from evaluation.json or results.json): B against A. */
export function compareSavedEvaluations(
  runA: { details: unknown },
  runB: { details: unknown },
  options: { which?: 'final' | 'base' | 'trained'; labels?: [string, string] } = {},
): Comparison {
  const [la, lb] = options.labels ?? ['A', 'B'];
  const a = { ...pickModelEvaluation(runA.details, options.which, la), label: la };
  const b = { ...pickModelEvaluation(runB.details, options.which, lb), label: lb };
  return compareEvaluations(a, b);
}
