// pass-at-k: n samples per problem, executed; pass@k (unbiased estimator), error taxonomy, compile rate,
// timing; with a trained policy, both models on the same problems and seed plus the paired comparison.
import { definePlugin } from 'crucible-ml';
import type { EvaluationResult } from 'crucible-ml';
import { CrucibleError } from 'crucible-ml';
import { compareEvaluations, compareSavedEvaluations, pickModelEvaluation } from '../stats/compare.js';
import type { ModelEvaluation, PassAtKDetails, SamplingSettings } from '../stats/types.js';
import { evaluateModel } from './run-model.js';
import { comparisonSummary, evaluationSummary } from './summary.js';

export default definePlugin({
  kind: 'evaluator',
  name: 'pass-at-k',
  version: '1.0.0',
  apiVersion: '^1',
  description: 'pass@k with the unbiased estimator, error taxonomy, compile rate and timing; base vs trained with a paired t-test and Wilcoxon',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      n: { type: 'integer', minimum: 1, default: 10, description: 'samples per problem' },
      k: { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 1, default: [1, 10] },
      temperature: { type: 'number', minimum: 0, default: 0.8 },
      topP: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.95 },
      seed: { type: 'integer', default: 42, description: 'sampling seed; the same for base and trained' },
      maxTokens: { type: 'integer', minimum: 1 },
    },
  } as const,
  create(config, ctx) {
    const ks = [...new Set(config.k)].sort((a, b) => a - b);
    const n = config.n;
    const tooLarge = ks.filter((k) => k > n);
    if (tooLarge.length) {
      throw CrucibleError.at('CRUCIBLE_E_EVAL', {
        path: 'stages.evaluator.config.k',
        message: `pass@${tooLarge.join(', pass@')} cannot be estimated from n = ${n} samples per problem`,
        hint: `raise stages.evaluator.config.n to at least ${Math.max(...tooLarge)} or drop those k`,
      });
    }
    const sampling: SamplingSettings = { n, seed: config.seed, temperature: config.temperature, topP: config.topP };
    if (config.maxTokens !== undefined) sampling.maxTokens = config.maxTokens;
    return {
      async evaluate(input): Promise<EvaluationResult> {
        if (input.problems.length === 0) {
          throw CrucibleError.at('CRUCIBLE_E_EVAL', { path: 'dataset.split.test', message: 'there are no test problems to evaluate', hint: 'give the test split a non-zero share' });
        }
        ctx.events.record('evaluation', { evaluator: 'pass-at-k', k: ks, ...sampling });
        const others = input.others ?? [];
        ctx.progress.start(input.problems.length * (1 + (input.trained ? 1 : 0) + others.length), 'evaluate');
        // The base model's numbers do not depend on training: reuse them from an earlier run of the same split and settings.
        const memo = input.baseMemo?.get<ModelEvaluation>();
        if (memo) ctx.progress.tick(input.problems.length);
        const base = memo ?? (await evaluateModel('base', input.base, input.executor, input.problems, sampling, ks, ctx));
        if (!memo) input.baseMemo?.set(base);
        const details: PassAtKDetails = { evaluator: 'pass-at-k', config: { k: ks, ...sampling }, base };
        if (!input.trained) return { headline: headlineOf(base, ''), details: details as unknown as Record<string, unknown>, summary: evaluationSummary([base], [], sampling) };
        const trained = await evaluateModel('trained', input.trained, input.executor, input.problems, sampling, ks, ctx);
        const comparison = compareEvaluations(base, trained);
        details.trained = trained;
        details.comparison = comparison;
        const headline: Record<string, number> = { ...headlineOf(base, 'base/'), ...headlineOf(trained, 'trained/') };
        for (const [key, test] of Object.entries(comparison.tests)) {
          headline[`delta/${key}`] = test.ttest.meanDifference;
          headline[`ttest_p/${key}`] = test.ttest.p;
          headline[`mde80/${key}`] = test.ttest.mde80;
          headline[`wilcoxon_p/${key}`] = test.wilcoxon.p;
        }
        // Undefined statistics (one problem, say) stay in details with their note; the flat index holds numbers only.
        if (others.length) details.others = [];
        for (const o of others) {
          const evaluation = await evaluateModel(o.label, o.generator, input.executor, input.problems, sampling, ks, ctx);
          const vsBase = compareEvaluations(base, evaluation);
          details.others!.push({ label: o.label, evaluation, comparison: vsBase });
          for (const [key, v] of Object.entries(evaluation.passAtK)) headline[`${o.label}/${key}`] = v.value;
          const t1 = vsBase.tests['pass@1'];
          if (t1) {
            headline[`ttest_p/${o.label}/pass@1`] = t1.ttest.p;
            headline[`mde80/${o.label}/pass@1`] = t1.ttest.mde80;
          }
        }
        for (const [key, value] of Object.entries(headline)) if (!Number.isFinite(value)) delete headline[key];
        const extra = details.others ?? [];
        const summary = evaluationSummary([base, trained, ...extra.map((o) => o.evaluation)], [comparison, ...extra.map((o) => o.comparison)], sampling);
        return { headline, details: details as unknown as Record<string, unknown>, summary };
      },
      /** Two saved runs: each run's final model (trained when there is one), B against A. */
      compare(a, b) {
        const models = { a: pickModelEvaluation(a.details, 'final', 'A').label, b: pickModelEvaluation(b.details, 'final', 'B').label };
        return { models, comparison: comparisonSummary(compareSavedEvaluations(a, b, { which: 'final', labels: ['A', 'B'] })) };
      },
    };
  },
});

/** Flat numbers for the run index and the terminal summary. */
function headlineOf(e: ModelEvaluation, prefix: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, v] of Object.entries(e.passAtK)) out[`${prefix}${key}`] = v.value;
  out[`${prefix}compile_rate`] = e.compileRate;
  out[`${prefix}mean_test_pass_rate`] = e.meanTestPassRate;
  return out;
}
