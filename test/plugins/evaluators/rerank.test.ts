import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { createTestContext, instantiate } from '../../../core/testing/index.js';
import type { Evaluator } from '../../../core/kernel/contract/kinds.js';
import type { CrucibleError } from '../../../core/kernel/errors.js';
import plugin, { evaluateWithScorer } from '../../../plugins/evaluators/rerank/index.js';
import { argmin, evaluationSummaryOf, headlineOf, rerankProblem, summarize } from '../../../plugins/evaluators/rerank/metrics.js';
import { pairedTTest } from '../../../plugins/evaluators/stats/index.js';
import { mix, problem, scriptedExecutor, scriptedGenerator } from './fakes.js';

const close = (a: number, b: number, eps = 1e-12) => assert.ok(Math.abs(a - b) < eps, `${a} != ${b}`);

test('all pass: random, verifier and oracle are 1', () => {
  const r = rerankProblem({ problemId: 'p', passes: [1, 1, 1, 1], energies: [3, 1, 2, 0.5] });
  assert.equal([r.random, r.verifier, r.oracle, r.verifierPick, r.passing], [1, 1, 1, 3, 4]);
});

test('none pass: everything is 0', () => {
  const r = rerankProblem({ problemId: 'p', passes: [0, 0, 0], energies: [0, 1, 2] });
  assert.equal([r.random, r.verifier, r.oracle], [0, 0, 0]);
  assert.ok(Number.isNaN(r.energyPass));
});

test('one pass among k: the verifier gets it only when that candidate has the lowest energy', () => {
  const good = rerankProblem({ problemId: 'p', passes: [0, 0, 1, 0], energies: [0.2, 0.9, -1, 0.4] });
  assert.equal([good.random, good.verifier, good.oracle, good.verifierPick], [0.25, 1, 1, 2]);
  close(good.energyPass, -1);
  close(good.energyFail, 0.5);
  const bad = rerankProblem({ problemId: 'p', passes: [0, 0, 1, 0], energies: [0.2, 0.9, 5, 0.4] });
  assert.equal([bad.verifier, bad.verifierPick], [0, 0]);
});

test('ties go to the lowest index; NaN energies are never preferred', () => {
  assert.is(argmin([1, 1, 1]), 0);
  assert.is(argmin([2, 1, 1]), 1);
  assert.is(argmin([Number.NaN, 3, 2]), 2);
  const r = rerankProblem({ problemId: 'p', passes: [0, 1, 1], energies: [0, 0, 0] });
  assert.is(r.verifier, 0); // deterministic: index 0, not an average over the tie
});

test('log-prob baseline: highest mean log-prob per token; absent without log-probs', () => {
  // sums -4/2 = -2, -9/9 = -1 (best per token though its sum is lowest), -3/1 = -3
  const r = rerankProblem({ problemId: 'p', passes: [0, 1, 0], energies: [0, 0, 0], logprobs: [-4, -9, -3], tokens: [2, 9, 1] });
  assert.equal([r.logprob, r.logprobPick], [1, 1]);
  const none = rerankProblem({ problemId: 'p', passes: [0, 1], energies: [0, 0], logprobs: [undefined, -1] });
  assert.is(none.logprob, undefined);
});

test('summary: means, gap recovered as a ratio of means, paired tests against random', () => {
  const results = [
    rerankProblem({ problemId: 'a', passes: [1, 1, 1, 1], energies: [0, 0, 0, 0], logprobs: [-1, -1, -1, -1] }), // random 1, v 1
    rerankProblem({ problemId: 'b', passes: [0, 0, 0, 0], energies: [0, 0, 0, 0], logprobs: [-1, -1, -1, -1] }), // random 0, v 0
    rerankProblem({ problemId: 'c', passes: [0, 0, 1, 0], energies: [1, 1, 0, 1], logprobs: [-4, -3, -1, -2] }), // random .25, v 1, lp 1
    rerankProblem({ problemId: 'd', passes: [1, 1, 0, 0], energies: [1, 1, 0, 1], logprobs: [-1, -2, -3, -4] }), // random .5, v 0, lp 1
  ];
  const s = summarize(results);
  close(s.random.pass1, (1 + 0 + 0.25 + 0.5) / 4);
  close(s.verifier.pass1, 2 / 4);
  close(s.oracle.passK, 3 / 4);
  close(s.verifier.gapRecovered, (0.5 - 0.4375) / (0.75 - 0.4375));
  close(s.logprob!.pass1, 3 / 4);
  close(s.logprob!.gapRecovered, 1);
  const t = pairedTTest([1, 0, 0.25, 0.5], [1, 0, 1, 0]);
  close(s.verifier.vsRandom.ttest.p, t.p);
  close(s.verifier.vsRandom.ttest.meanDifference, 0.0625);
  const h = headlineOf(s);
  assert.equal(Object.keys(h).sort(), ['gap_recovered', 'logprob_gap_recovered', 'logprob_pass@1', 'logprob_vs_random_mde80', 'logprob_vs_random_p', 'oracle_pass@4', 'problems', 'random_pass@1', 'verifier_pass@1', 'verifier_vs_logprob_mde80', 'verifier_vs_logprob_p', 'verifier_vs_random_mde80', 'verifier_vs_random_p', 'verifier_vs_random_wilcoxon_p']);
  // The verifier against the log-prob baseline, paired: log-prob picks pass on a, c, d; the verifier on a, c.
  const vsLogprob = pairedTTest([1, 0, 1, 1], [1, 0, 1, 0]);
  close(s.verifierVsLogprob!.ttest.meanDifference, -0.25);
  close(h.verifier_vs_logprob_p, vsLogprob.p);
  const summary = evaluationSummaryOf(s, { k: 4, temperature: 1, topP: 1, seed: 1 });
  assert.equal((summary.comparisons ?? []).map((c) => `${c.a}->${c.b}`), ['random->verifier', 'random->logprob', 'logprob->verifier']);
});

test('gap recovered is undefined (left out of the headline) when oracle equals random', () => {
  const s = summarize([rerankProblem({ problemId: 'a', passes: [1, 1], energies: [0, 1] }), rerankProblem({ problemId: 'b', passes: [0, 0], energies: [0, 1] })]);
  assert.ok(Number.isNaN(s.verifier.gapRecovered));
  assert.is(headlineOf(s).gap_recovered, undefined);
  assert.is(s.logprob, undefined);
});

const problems = ['p1', 'p2', 'p3', 'p4'].map(problem);
const statuses = { p1: mix(8, 0), p2: mix(8, 1), p3: mix(8, 4), p4: mix(8, 8) };

test('evaluator without a verifier artifact: CRUCIBLE_E_EVAL with a hint', async () => {
  const evaluator = await instantiate<Evaluator>(plugin as never, { k: 8 });
  try {
    await evaluator.evaluate({ problems, base: scriptedGenerator('m', statuses), executor: scriptedExecutor });
    assert.unreachable();
  } catch (err) {
    assert.is((err as CrucibleError).code, 'CRUCIBLE_E_EVAL');
    assert.match((err as Error).message + JSON.stringify((err as CrucibleError).issues), 'energy-verifier');
  }
  try {
    await evaluator.evaluate({ problems, base: scriptedGenerator('m', statuses), executor: scriptedExecutor, artifact: { kind: 'policy', path: '/nope' } });
    assert.unreachable();
  } catch (err) {
    assert.is((err as CrucibleError).code, 'CRUCIBLE_E_EVAL');
  }
});

test('evaluator end to end with a perfect energy: verifier pass@1 = oracle, files written', async () => {
  const ctx = createTestContext();
  // The scripted completion carries its status; a perfect verifier gives SUCCESS the lowest energy.
  const scorer = { energy: async (_p: string, codes: string[]) => codes.map((c) => (c.includes('SUCCESS') ? -1 : 1)) };
  const result = await evaluateWithScorer({ problems, base: scriptedGenerator('m', statuses), executor: scriptedExecutor }, { k: 8, seed: 1, temperature: 1, topP: 1 }, ctx, scorer);
  close(result.headline['random_pass@1'], (0 + 1 / 8 + 4 / 8 + 1) / 4);
  close(result.headline['verifier_pass@1'], 3 / 4);
  close(result.headline['oracle_pass@8'], 3 / 4);
  close(result.headline.gap_recovered, 1);
  const file = ctx.files.path('rerank.per_problem.jsonl');
  assert.ok(existsSync(file));
  assert.is(readFileSync(file, 'utf8').trim().split('\n').length, 4);
  assert.is(readFileSync(ctx.files.path('rerank.samples.jsonl'), 'utf8').trim().split('\n').length, 32);
  const again = await evaluateWithScorer({ problems, base: scriptedGenerator('m', statuses), executor: scriptedExecutor }, { k: 8, seed: 1, temperature: 1, topP: 1 }, createTestContext(), scorer);
  const cmp = (await instantiate<Evaluator>(plugin as never, {})).compare!(result, again) as unknown as { problems: number; ttest: { meanDifference: number } };
  assert.is(cmp.problems, 4);
  assert.is(cmp.ttest.meanDifference, 0);
});

test.run();
