import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { createTestContext, instantiate, type TestContext } from '../../../core/testing/index.js';
import type { LabelledSample } from '../../../core/kernel/contract/data.js';
import type { Evaluator, Trainer, TrainResult } from '../../../core/kernel/contract/kinds.js';
import type { CrucibleError } from '../../../core/kernel/errors.js';
import { ensureBackend } from '../../../plugins/lm/backend.js';
import plugin, { loadVerifier } from '../../../plugins/trainers/energy-verifier/index.js';
import { allPairs, groupByProblem, packBatches, samplePairs } from '../../../plugins/trainers/energy-verifier/data.js';
import { auroc, energyBce, marginRankingLoss, rankingAccuracy } from '../../../plugins/trainers/energy-verifier/loss.js';
import rerank from '../../../plugins/evaluators/rerank/index.js';
import { problem, scriptedExecutor } from '../evaluators/fakes.js';

const TOKENIZER = join(process.cwd(), 'models/crucible-tiny-coder');
const close = (a: number, b: number, eps = 1e-5) => assert.ok(Math.abs(a - b) < eps, `${a} != ${b}`);

test.before(async () => {
  await ensureBackend('auto');
});

test('margin ranking loss, ranking accuracy, BCE and AUROC match hand-computed values', () => {
  const ePos = [0, 1, 2];
  const eNeg = [1, 0.5, 2.5];
  // max(0, 1 + 0 - 1) = 0, max(0, 1 + 1 - 0.5) = 1.5, max(0, 1 + 2 - 2.5) = 0.5 -> mean 2/3
  const loss = marginRankingLoss(tf.tensor1d(ePos), tf.tensor1d(eNeg), tf.tensor1d([1, 1, 1]));
  close(loss.dataSync()[0], 2 / 3);
  // pass-rate-gap margins 0.5, 0, 1: max(0, -0.5) = 0, max(0, 0.5) = 0.5, max(0, 0.5) = 0.5 -> 1/3
  close(marginRankingLoss(tf.tensor1d(ePos), tf.tensor1d(eNeg), tf.tensor1d([0.5, 0, 1])).dataSync()[0], 1 / 3);
  close(rankingAccuracy(ePos, eNeg), 2 / 3);
  assert.is(rankingAccuracy([1], [1]), 0); // a tie is not a correct ranking
  // BCE with P(pass) = sigmoid(-e): e = 0 -> log 2 either way; e = -2, label 1 -> log(1 + e^-2)
  close(energyBce(tf.tensor1d([0, -2]), tf.tensor1d([0, 1])).dataSync()[0], (Math.log(2) + Math.log(1 + Math.exp(-2))) / 2);
  // passes have energies 0 and 2, fails 1 and 3: pairs (0<1, 0<3, 2>1, 2<3) -> 3/4
  close(auroc([0, 2, 1, 3], [1, 1, 0, 0]), 0.75);
  close(auroc([1, 1], [1, 0]), 0.5);
});

test('gradient of the margin loss: -1/n on E(pass), +1/n on E(fail) for active pairs only', () => {
  const pos = tf.variable(tf.tensor1d([0, 1, 2]));
  const neg = tf.variable(tf.tensor1d([1, 0.5, 2.5]));
  const { grads } = tf.variableGrads(() => marginRankingLoss(pos, neg, tf.tensor1d([1, 1, 1])), [pos, neg]);
  assert.equal(Array.from(grads[pos.name].dataSync()).map((v) => +v.toFixed(6)), [0, +(1 / 3).toFixed(6), +(1 / 3).toFixed(6)]);
  assert.equal(Array.from(grads[neg.name].dataSync()).map((v) => +v.toFixed(6)), [0, -(1 / 3).toFixed(6), -(1 / 3).toFixed(6)]);
});

function sample(problemId: string, i: number, label: 0 | 1, passRate: number = label): LabelledSample {
  return { problemId, candidateId: `${problemId}:${i}`, prompt: `def ${problemId}(x):\n`, code: `    return ${i}\n`, label, passRate, status: label ? 'SUCCESS' : 'WRONG_OUTPUT' };
}

test('pairs: all-pass / all-fail problems counted and excluded, negatives per positive, seeded, pass-rate gap', () => {
  const samples = [
    sample('a', 0, 1), sample('a', 1, 1), sample('a', 2, 0, 0.5), sample('a', 3, 0), sample('a', 4, 0),
    sample('b', 0, 1), sample('b', 1, 1),
    sample('c', 0, 0), sample('c', 1, 0),
    sample('d', 0, 1), sample('d', 1, 0),
  ];
  const { groups, stats } = groupByProblem(samples);
  assert.equal(stats, { samples: 11, problems: 4, passing: 5, failing: 6, allPass: 1, allFail: 1, mixed: 2 });
  const o = { negativesPerPositive: 2, maxPairsPerProblem: 0, marginScale: 'pass-rate-gap' as const };
  const pairs = samplePairs(samples, groups, o, 7, 0);
  assert.is(pairs.length, 2 * 2 + 1); // a: 2 positives x 2 negatives; d: 1 x 1
  for (const p of pairs) {
    assert.is(samples[p.pos].problemId, samples[p.neg].problemId);
    assert.is(samples[p.pos].label, 1);
    assert.is(samples[p.neg].label, 0);
    close(p.scale, 1 - samples[p.neg].passRate);
  }
  assert.equal(samplePairs(samples, groups, o, 7, 0), pairs);
  assert.is(samplePairs(samples, groups, { ...o, maxPairsPerProblem: 2 }, 7, 0).length, 3);
  assert.is(allPairs(groups).length, 2 * 3 + 1);
  // Steps hold whole problems while they fit: a's 4 pairs use 4 candidates, d's pair 2 more.
  const packed = packBatches(pairs, samples, 4);
  assert.equal(packed.map((b) => b.length).sort(), [1, 4]);
  for (const b of packed) assert.ok(new Set(b.flatMap((p) => [p.pos, p.neg])).size <= 4);
  assert.is(packBatches(pairs, samples, 64).length, 1);
  assert.is(packBatches(pairs, samples, 2).flat().length, pairs.length);
});

/** Separable data: failing code carries a marker line; passing and failing bodies are otherwise alike. */
function synthetic(prefix: string, problems: number, perProblem: number, split: 'train' | 'val'): LabelledSample[] {
  const bodies = ['    return x + 1\n', '    y = x * 2\n    return y\n', '    return sorted(x)\n', '    s = 0\n    for v in x:\n        s += v\n    return s\n'];
  const out: LabelledSample[] = [];
  for (let p = 0; p < problems; p++) {
    for (let i = 0; i < perProblem; i++) {
      const pass = i % 2 === 0;
      const body = bodies[(p + i) % bodies.length];
      const code = pass ? body : `    assert False  # BUG\n${body}`;
      out.push({ problemId: `${prefix}${p}`, split, candidateId: `${prefix}${p}:${i}`, prompt: `def f${p}(x):\n    """Task ${p}."""\n`, code, label: pass ? 1 : 0, passRate: pass ? 1 : 0, status: pass ? 'SUCCESS' : 'RUNTIME_ERROR' });
    }
  }
  return out;
}

const tiny = { encoder: { tokenizer: TOKENIZER, hiddenSize: 32, layers: 1, heads: 2 }, maxPromptTokens: 16, maxCodeTokens: 32, epochs: 6, lr: 0.003, warmupSteps: 2, batchSize: 32, patience: 0 };

let trained: { result: TrainResult; ctx: TestContext } | undefined;

test('a verifier trained on a separable set ranks > 95% of validation pairs right; files, curves, metrics', async () => {
  const ctx = createTestContext({ seed: 3 });
  const trainer = await instantiate<Trainer>(plugin as never, tiny, ctx);
  const samples = synthetic('t', 16, 6, 'train');
  const validationSamples = synthetic('v', 6, 6, 'val');
  const t0 = Date.now();
  const result = await trainer.train({ samples, validationSamples });
  const s = result.stats as Record<string, number>;
  assert.ok(s.valRankingAccuracy > 0.95, `val ranking accuracy ${s.valRankingAccuracy}`);
  assert.ok(s.valAuroc > 0.95);
  assert.ok(s.valEnergyPass < s.valEnergyFail);
  assert.is(result.model.kind, 'verifier');
  for (const f of ['config.json', 'model.safetensors', 'tokenizer.json']) assert.ok(existsSync(join(result.model.path, f)), f);
  const lines = readFileSync(ctx.files.path('labelled.jsonl'), 'utf8').trim().split('\n');
  assert.is(lines.length, samples.length + validationSamples.length);
  assert.equal(Object.keys(JSON.parse(lines[0])).sort(), ['candidateId', 'code', 'label', 'passRate', 'problemId', 'prompt', 'split', 'status']);
  assert.is(JSON.parse(readFileSync(ctx.files.path('labelled_stats.json'), 'utf8')).train.mixed, 16);
  for (const c of ['train/loss', 'train/ranking_accuracy', 'val/ranking_accuracy', 'val/auroc', 'val/energy_pass', 'val/energy_fail']) assert.ok(result.curves?.[c]?.length, c);
  assert.ok(ctx.metrics.some((m) => m.name === 'validation' && 'auroc' in m.values));
  trained = { result, ctx };
  console.log(`  separable set: val ranking accuracy ${s.valRankingAccuracy.toFixed(3)}, auroc ${s.valAuroc.toFixed(3)}, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
});

test('loadVerifier gives the trained energies; the rerank evaluator uses the artifact', async () => {
  const { result } = trained!;
  const v = await loadVerifier(result.model.path);
  const [good, bad] = await v.energy('def f1(x):\n    """Task 1."""\n', ['    return x + 1\n', '    assert False  # BUG\n    return x + 1\n']);
  assert.ok(good < bad);
  v.dispose();
  // Scripted candidates whose code carries the marker exactly when they fail.
  const statuses: Record<string, string[]> = { q1: ['SUCCESS', 'RUNTIME_ERROR', 'RUNTIME_ERROR', 'RUNTIME_ERROR'], q2: ['RUNTIME_ERROR', 'RUNTIME_ERROR', 'SUCCESS', 'RUNTIME_ERROR'], q3: ['RUNTIME_ERROR', 'RUNTIME_ERROR', 'RUNTIME_ERROR', 'SUCCESS'] };
  const base = {
    info: () => ({ model: 'scripted', promptFormat: 'completion:raw' }),
    async *generate(problems: ReturnType<typeof problem>[]) {
      for (const p of problems) {
        yield { problem: p, candidates: statuses[p.id].map((s, i) => {
          const completion = s === 'SUCCESS' ? `    return '${s}'\n` : `    assert False  # BUG\n    return '${s}'\n`;
          return { id: `${p.id}:${i}`, problemId: p.id, index: i, prompt: p.prompt, completion, code: p.prompt + completion };
        }) };
      }
    },
  };
  const evaluator = await instantiate<Evaluator>(rerank as never, { k: 4 });
  const out = await evaluator.evaluate({ problems: ['q1', 'q2', 'q3'].map(problem), base, executor: scriptedExecutor, artifact: result.model });
  close(out.headline['random_pass@1'], 0.25);
  close(out.headline['verifier_pass@1'], 1);
  close(out.headline.gap_recovered, 1);
});

test('a finished run resumes from its last checkpoint without retraining; a cancelled one continues', async () => {
  const { ctx, result } = trained!;
  const again = await (await instantiate<Trainer>(plugin as never, tiny, ctx)).train({ samples: synthetic('t', 16, 6, 'train'), validationSamples: synthetic('v', 6, 6, 'val') });
  assert.is((again.stats as Record<string, number>).resumedAtEpoch, 6);
  close((again.stats as Record<string, number>).valRankingAccuracy, (result.stats as Record<string, number>).valRankingAccuracy);
  // Cancel after epoch 2, then run again in the same stage folder: it continues from epoch 2.
  const ctx2 = createTestContext({ seed: 3 });
  const metric = ctx2.events.metric;
  Object.defineProperty(ctx2, 'events', { value: { ...ctx2.events, metric: (n: string, v: Record<string, number>, s?: number) => { metric(n, v, s); if (n === 'train' && v.epoch === 2) ctx2.abort(); } } });
  const cfg = { ...tiny, epochs: 3 };
  try {
    await (await instantiate<Trainer>(plugin as never, cfg, ctx2)).train({ samples: synthetic('t', 16, 6, 'train'), validationSamples: synthetic('v', 6, 6, 'val') });
    assert.unreachable();
  } catch (err) {
    assert.is((err as CrucibleError).code, 'CRUCIBLE_E_CANCELLED');
  }
  const ctx3 = createTestContext({ seed: 3, dir: join(ctx2.files.dir, '..') });
  const resumed = await (await instantiate<Trainer>(plugin as never, cfg, ctx3)).train({ samples: synthetic('t', 16, 6, 'train'), validationSamples: synthetic('v', 6, 6, 'val') });
  assert.is((resumed.stats as Record<string, number>).resumedAtEpoch, 2);
  assert.is((resumed.stats as Record<string, number>).epochsRun, 3);
});

test('logprobFeature: the energy starts as minus the mean log-prob and needs log-probs at scoring time', async () => {
  // Same code for pass and fail; only the generator's log-prob tells them apart.
  const withLp = (list: LabelledSample[]) => list.map((s) => ({ ...s, code: '    return x\n', logprob: s.label ? -1 : -8 }));
  const ctx = createTestContext({ seed: 5 });
  const trainer = await instantiate<Trainer>(plugin as never, { ...tiny, epochs: 1, logprobFeature: true }, ctx);
  const result = await trainer.train({ samples: withLp(synthetic('t', 4, 4, 'train')), validationSamples: withLp(synthetic('v', 2, 4, 'val')) });
  const s = result.stats as Record<string, number>;
  assert.is(s.valRankingAccuracy, 1);
  assert.ok(Math.abs(s.logprobWeight - 1) < 0.5);
  const v = await loadVerifier(result.model.path);
  const [hi, lo] = await v.energy('def f(x):\n', ['    return x\n', '    return x\n'], [-1, -8]);
  assert.ok(hi < lo);
  try {
    await v.energy('def f(x):\n', ['    return x\n'], [undefined]);
    assert.unreachable();
  } catch (err) {
    assert.is((err as CrucibleError).code, 'CRUCIBLE_E_EVAL');
  }
  v.dispose();
  try {
    await (await instantiate<Trainer>(plugin as never, { ...tiny, logprobFeature: true })).train({ samples: synthetic('t', 2, 2, 'train') });
    assert.unreachable();
  } catch (err) {
    assert.is((err as CrucibleError).code, 'CRUCIBLE_E_TRAIN');
  }
});

test('no labelled samples or no mixed problem: CRUCIBLE_E_TRAIN', async () => {
  const trainer = await instantiate<Trainer>(plugin as never, tiny);
  for (const samples of [[], [sample('a', 0, 1), sample('b', 0, 0)]]) {
    try {
      await trainer.train({ samples });
      assert.unreachable();
    } catch (err) {
      assert.is((err as CrucibleError).code, 'CRUCIBLE_E_TRAIN');
    }
  }
});

test.run();
