// A complete RunResults made by the real evaluator and pairing plugins over scripted models.
import { createTestContext, instantiate } from '../../../core/testing/index.js';
import type { Evaluator, Pairing } from '../../../core/kernel/contract/kinds.js';
import type { PreferencePair } from '../../../core/kernel/contract/data.js';
import type { RunResults } from '../../../core/report/index.js';
import evaluatorPlugin from '../../../plugins/evaluators/pass-at-k/index.js';
import allPairs from '../../../plugins/pairing/all-pairs.js';
import { applyGates, pairStatistics } from '../../../core/pipeline/pair-quality.js';
import { mix, problem, scriptedExecutor, scriptedGenerator } from '../../plugins/evaluators/fakes.js';
import { problem as pairingProblem, scored } from '../../plugins/pairing/helpers.js';

export async function fullResults(): Promise<RunResults> {
  const problems = ['t1', 't2', 't3', 't4', 't5', 't6'].map(problem);
  const base = { t1: mix(10, 0, ['SYNTAX_ERROR', 'WRONG_OUTPUT']), t2: mix(10, 3, ['RUNTIME_ERROR']), t3: mix(10, 9), t4: mix(10, 1, ['TIMEOUT', 'WRONG_OUTPUT']), t5: mix(10, 5), t6: mix(10, 2) };
  const trained = { t1: mix(10, 2), t2: mix(10, 5, ['RUNTIME_ERROR', 'WRONG_OUTPUT']), t3: mix(10, 10), t4: mix(10, 2), t5: mix(10, 6), t6: mix(10, 2) };
  const evaluator = await instantiate<Evaluator>(evaluatorPlugin as never, {});
  const evaluation = await evaluator.evaluate({ problems, base: scriptedGenerator('tiny-sft', base), trained: scriptedGenerator('tiny-dpo', trained), executor: scriptedExecutor });
  const pairing = await instantiate<Pairing>(allPairs as never, {}, createTestContext());
  const p = pairingProblem('train1');
  const pairs: PreferencePair[] = await pairing.pair(p, scored(p, [
    ['    return sorted(xs, reverse=True)\n', 1, 'SUCCESS'], ['    return sorted(xs)\n', 0.5, 'WRONG_OUTPUT'],
    ['    return xs[0] / 0\n', 0, 'RUNTIME_ERROR'], ['    return sorted(xs, reverse=True\n', 0, 'SYNTAX_ERROR'], ['I cannot help with that', 0, 'SYNTAX_ERROR'],
  ]));
  const summary = await pairing.finalize!(pairs);
  // The pair stage's statistics, as the kernel computes them for any pairing plugin (gates at their schema defaults).
  const gated = applyGates(summary.pairs, { minPairs: 1, minProblems: 1, maxDropShare: 0.5, requireCode: true, rejectPatterns: [] });
  const stats = { plugin: 'all-pairs', ...pairStatistics(gated.kept), gates: gated.report, pluginStats: summary.stats };
  const steps = Array.from({ length: 20 }, (_, i) => i * 5);
  return {
    run: {
      id: 'r-20250101-abc', name: 'quickstart <dpo> & "friends"', seed: 42, startedAt: '2025-01-01T00:00:00.000Z', finishedAt: '2025-01-01T00:20:00.000Z',
      manifest: { name: 'quickstart', seed: 42, stages: { pairing: { plugin: 'all-pairs', config: { minGap: 0.1 } } } },
      plugins: { generator: 'tfjs-lm@1.0.0', pairing: 'all-pairs@1.0.0', evaluator: 'pass-at-k@1.0.0' },
      records: { backend: 'wasm', promptFormat: 'completion:raw', 'scorer.judge': { judgeModel: 'tiny', normalize: 'mean' } },
      node: 'v20.0.0',
    },
    dataset: { hash: 'sha256:abc123', count: 20, splitCounts: { train: 10, val: 4, test: 6 } },
    pairing: { stats },
    training: {
      stats: { epochs: 2, 'final/loss': 0.41, tokensPerSecond: 3800 },
      curves: {
        'train/loss': steps.map((s) => [s, 0.69 * Math.exp(-s / 60) + 0.2] as [number, number]),
        'val/loss': steps.filter((s) => s % 20 === 0).map((s) => [s, 0.69 * Math.exp(-s / 80) + 0.25] as [number, number]),
        'rewards/accuracies': steps.map((s) => [s, 0.5 + s / 400] as [number, number]),
      },
    },
    evaluation,
  };
}
