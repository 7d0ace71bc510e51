import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { createTestContext, instantiate } from '../../../core/testing/index.js';
import type { Evaluator, GenerateOptions } from '../../../core/kernel/contract/kinds.js';
import type { CrucibleError } from '../../../core/kernel/errors.js';
import plugin from '../../../plugins/evaluators/pass-at-k/index.js';
import { compareSavedEvaluations, pairedTTest, passAtK, wilcoxonSignedRank } from '../../../plugins/evaluators/stats/index.js';
import type { PassAtKDetails } from '../../../plugins/evaluators/stats/types.js';
import { mix, problem, scriptedExecutor, scriptedGenerator } from './fakes.js';

const problems = ['p1', 'p2', 'p3', 'p4', 'p5'].map(problem);
const baseMix = {
  p1: mix(10, 0, ['SYNTAX_ERROR', 'WRONG_OUTPUT']),
  p2: mix(10, 3, ['RUNTIME_ERROR', 'WRONG_OUTPUT']),
  p3: mix(10, 10),
  p4: mix(10, 1, ['TIMEOUT', 'WRONG_OUTPUT']),
  p5: mix(10, 5),
};
const trainedMix = { p1: mix(10, 2), p2: mix(10, 6), p3: mix(10, 10), p4: mix(10, 3), p5: mix(10, 7) };
const counts = { base: [0, 3, 10, 1, 5], trained: [2, 6, 10, 3, 7] };

test('base only: pass@k, taxonomy, compile rate, timing and per-problem files', async () => {
  const ctx = createTestContext();
  const seen: GenerateOptions[] = [];
  const evaluator = await instantiate<Evaluator>(plugin as never, {}, ctx);
  const result = await evaluator.evaluate({ problems, base: scriptedGenerator('m0', baseMix, seen), executor: scriptedExecutor });
  assert.equal(seen[0], { n: 10, seed: 42, temperature: 0.8, topP: 0.95, maxTokens: undefined });
  const expected1 = counts.base.reduce((s, c) => s + passAtK(10, c, 1), 0) / 5;
  const expected10 = counts.base.reduce((s, c) => s + passAtK(10, c, 10), 0) / 5;
  assert.ok(Math.abs(result.headline['pass@1'] - expected1) < 1e-12);
  assert.ok(Math.abs(result.headline['pass@10'] - expected10) < 1e-12);
  assert.is(result.headline['pass@10'], 0.8); // every problem but p1 has a success
  const details = result.details as unknown as PassAtKDetails;
  assert.is(details.base.taxonomy.total, 50);
  assert.is(details.base.taxonomy.counts.SUCCESS, 19);
  assert.is(details.base.taxonomy.counts.SYNTAX_ERROR, 5);
  assert.is(details.base.taxonomy.counts.RUNTIME_ERROR, 4); // p2: 7 non-success alternating, starting with RUNTIME_ERROR
  assert.is(details.base.taxonomy.counts.TIMEOUT, 5);
  assert.ok(Math.abs(details.base.compileRate - 45 / 50) < 1e-12);
  assert.ok(Math.abs(details.base.taxonomy.shares.SUCCESS - 19 / 50) < 1e-12);
  assert.is(details.base.timing.generationMs.mean, 50); // 10 candidates x 5 ms each
  assert.ok(details.base.timing.executionMs.median >= 0);
  const [lo, hi] = details.base.passAtK['pass@1'].ci95;
  assert.ok(lo < expected1 && expected1 < hi);
  assert.is(details.base.perProblem.length, 5);
  assert.is(details.trained, undefined);
  const perProblem = ctx.files.path('base.per_problem.jsonl');
  assert.ok(existsSync(perProblem));
  assert.is(readFileSync(perProblem, 'utf8').trim().split('\n').length, 5);
  assert.equal((ctx.recorded['evaluation'] as { k: number[] }).k, [1, 10]);
});

test('base vs trained: both evaluated with the same seed, compared with paired tests', async () => {
  const seen: GenerateOptions[] = [];
  const evaluator = await instantiate<Evaluator>(plugin as never, { k: [1, 5] });
  const result = await evaluator.evaluate({
    problems, base: scriptedGenerator('m0', baseMix, seen), trained: scriptedGenerator('m1', trainedMix, seen), executor: scriptedExecutor,
  });
  assert.is(seen.length, 2);
  assert.is(seen[0].seed, seen[1].seed);
  const details = result.details as unknown as PassAtKDetails;
  const comparison = details.comparison!;
  const a = counts.base.map((c) => passAtK(10, c, 1));
  const b = counts.trained.map((c) => passAtK(10, c, 1));
  const t = pairedTTest(a, b);
  assert.ok(Math.abs(comparison.tests['pass@1'].ttest.t - t.t) < 1e-12);
  assert.ok(Math.abs(comparison.tests['pass@1'].wilcoxon.p - wilcoxonSignedRank(a, b).p) < 1e-12);
  assert.ok(Math.abs(result.headline['delta/pass@1'] - 0.18) < 1e-12);
  assert.ok(result.headline['ttest_p/pass@1'] < 0.05);
  assert.ok('wilcoxon_p/pass@5' in result.headline);
  assert.ok(Math.abs(comparison.metrics['pass@1'].relative! - 0.18 / 0.38) < 1e-12);
  // Error categories: syntax errors fell from 5 to 0 (relative -100%).
  assert.is(comparison.taxonomy.SYNTAX_ERROR.countA, 5);
  assert.is(comparison.taxonomy.SYNTAX_ERROR.countB, 0);
  assert.is(comparison.taxonomy.SYNTAX_ERROR.relative, -1);
  assert.ok(comparison.metrics['compile_rate'].absolute > 0);
});

test('comparisons refuse different problem sets or seeds (CRUCIBLE_E_COMPARE)', async () => {
  const run = async (ids: string[], seed: number) => {
    const evaluator = await instantiate<Evaluator>(plugin as never, { seed });
    return evaluator.evaluate({ problems: ids.map(problem), base: scriptedGenerator('m', baseMix), executor: scriptedExecutor });
  };
  const r1 = await run(['p1', 'p2', 'p3'], 42);
  const r2 = await run(['p1', 'p2', 'p4'], 42);
  const r3 = await run(['p1', 'p2', 'p3'], 7);
  const r4 = await run(['p3', 'p2', 'p1'], 42); // order does not matter
  const codeOf = (fn: () => unknown) => { try { fn(); } catch (e) { return (e as CrucibleError).code + ' ' + (e as Error).message; } return 'no error'; };
  assert.match(codeOf(() => compareSavedEvaluations(r1, r2)), /^CRUCIBLE_E_COMPARE .*different problems/);
  assert.match(codeOf(() => compareSavedEvaluations(r1, r3)), /^CRUCIBLE_E_COMPARE .*different sampling seeds/);
  assert.match(codeOf(() => compareSavedEvaluations(r1, { details: { something: 'else' } })), /^CRUCIBLE_E_COMPARE .*no .*evaluation/);
  const evaluator = await instantiate<Evaluator>(plugin as never, {});
  const viaPlugin = evaluator.compare!(r1, r4) as unknown as { models: { a: string }; comparison: { problems: number } };
  assert.is(viaPlugin.models.a, 'base');
  assert.is(viaPlugin.comparison.problems, 3);
  assert.throws(() => evaluator.compare!(r1, r3), /different sampling seeds/);
  const same = compareSavedEvaluations(r1, r4, { labels: ['runA', 'runB'] });
  assert.is(same.a, 'runA');
  assert.is(same.tests['pass@1'].ttest.p, 1);
});

test('k larger than n fails at create with a hint; short sample lists fail the evaluation', async () => {
  try {
    await instantiate<Evaluator>(plugin as never, { n: 5 });
    assert.unreachable('should have thrown');
  } catch (e) {
    assert.is((e as CrucibleError).code, 'CRUCIBLE_E_EVAL');
    assert.match((e as Error).message, /pass@10 cannot be estimated from n = 5/);
  }
  const evaluator = await instantiate<Evaluator>(plugin as never, { n: 10, k: [1, 10] });
  const short = { ...baseMix, p2: mix(4, 1) };
  try {
    await evaluator.evaluate({ problems, base: scriptedGenerator('m', short), executor: scriptedExecutor });
    assert.unreachable('should have thrown');
  } catch (e) {
    assert.is((e as CrucibleError).code, 'CRUCIBLE_E_EVAL');
    assert.match((e as Error).message, /p2 has 4 samples; pass@10 needs at least 10/);
  }
});

test('one test problem: the comparison notes the undefined t-test; the headline keeps finite numbers only', async () => {
  const evaluator = await instantiate<Evaluator>(plugin as never, {});
  const result = await evaluator.evaluate({ problems: [problem('p2')], base: scriptedGenerator('m0', baseMix), trained: scriptedGenerator('m1', trainedMix), executor: scriptedExecutor });
  assert.ok(Object.values(result.headline).every(Number.isFinite));
  assert.not.ok('ttest_p/pass@1' in result.headline);
  assert.ok(Math.abs(result.headline['delta/pass@1'] - 0.3) < 1e-12);
  const details = result.details as unknown as PassAtKDetails;
  assert.match(details.comparison!.tests['pass@1'].ttest.note!, /at least 2 problems/);
});

test('a killed evaluation resumes from its last finished problem with the same results', async () => {
  const full = await (await instantiate<Evaluator>(plugin as never, {}, createTestContext())).evaluate({ problems, base: scriptedGenerator('m0', baseMix), executor: scriptedExecutor });
  const ctx = createTestContext();
  const evaluator = await instantiate<Evaluator>(plugin as never, {}, ctx);
  // A generator that dies after three problems, like a killed process.
  const inner = scriptedGenerator('m0', baseMix);
  const dying = { ...inner, async *generate(ps: typeof problems, o: GenerateOptions) { let i = 0; for await (const r of inner.generate(ps, o)) { if (i++ === 3) throw new Error('killed'); yield r; } } };
  try {
    await evaluator.evaluate({ problems, base: dying, executor: scriptedExecutor });
    assert.unreachable();
  } catch (error) {
    assert.match((error as Error).message, 'killed');
  }
  const seen: GenerateOptions[] = [];
  const asked: string[] = [];
  const counting = scriptedGenerator('m0', baseMix, seen);
  const watched = { ...counting, async *generate(ps: typeof problems, o: GenerateOptions) { asked.push(...ps.map((p) => p.id)); yield* counting.generate(ps, o); } };
  const resumed = await (await instantiate<Evaluator>(plugin as never, {}, ctx)).evaluate({ problems, base: watched, executor: scriptedExecutor });
  assert.equal(asked, ['p4', 'p5'], 'only the unfinished problems are sampled again');
  assert.equal(resumed.headline, full.headline);
  const ids = (r: typeof full) => (r.details as unknown as PassAtKDetails).base.perProblem.map((x) => x.problemId);
  assert.equal(ids(resumed), ids(full));
});

test.run();
