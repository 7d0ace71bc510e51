// pass-at-k's evaluation as the kernel's typed summary (what the report, the terminal and `crucible compare`
// show): each model's pass@k with CIs, compile rate, statuses and timings; comparisons with their paired tests.
import type { ComparisonSummary, EvaluationSummary, ModelSummary } from 'crucible-ml';
import type { Comparison, ModelEvaluation, SamplingSettings } from '../stats/types.js';

export function modelSummary(e: ModelEvaluation): ModelSummary {
  return {
    label: e.label,
    ...(e.model?.model ? { model: e.model.model } : {}),
    metrics: {
      ...e.passAtK,
      compile_rate: { value: e.compileRate },
      mean_test_pass_rate: { value: e.meanTestPassRate },
    },
    statuses: { ...e.taxonomy.counts },
    timingMs: { generation: { mean: e.timing.generationMs.mean, median: e.timing.generationMs.median }, execution: { mean: e.timing.executionMs.mean, median: e.timing.executionMs.median } },
    perProblem: Object.fromEntries(e.perProblem.map((p) => [p.problemId, [p.c, p.n]])),
  };
}

export function comparisonSummary(c: Comparison): ComparisonSummary {
  const metrics: ComparisonSummary['metrics'] = {};
  for (const [key, change] of Object.entries(c.metrics)) metrics[key] = { ...change, ...(c.tests[key] ? { test: c.tests[key] } : {}) };
  return { a: c.a, b: c.b, problems: c.problems, metrics, statusShares: Object.fromEntries(Object.entries(c.taxonomy).map(([s, { a, b, absolute, relative }]) => [s, { a, b, absolute, relative }])) };
}

export function evaluationSummary(models: ModelEvaluation[], comparisons: Comparison[], s: SamplingSettings): EvaluationSummary {
  return {
    models: models.map(modelSummary),
    ...(comparisons.length ? { comparisons: comparisons.map(comparisonSummary) } : {}),
    sampling: `n = ${s.n} samples per problem, temperature ${s.temperature}, top-p ${s.topP}, seed ${s.seed}.`,
  };
}
