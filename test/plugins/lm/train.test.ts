import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import { ensureBackend, loadTextModel, type LocalTextModel } from '../../../plugins/lm/index.js';
import { completionNll, makeBatch, sequenceLogprobs, truncate } from '../../../plugins/lm/train/batch.js';
import { logSigmoid } from '../../../plugins/lm/train/logprob.js';
import { AdamW, clipByGlobalNorm, decayMask, warmupCosine } from '../../../plugins/lm/train/optim.js';
import { accumulateAndStep } from '../../../plugins/lm/train/step.js';
import { tmp, writeTinyModel } from './helpers.js';

let m: LocalTextModel;
test.before(async () => {
  await ensureBackend('auto');
  m = await loadTextModel(writeTinyModel(tmp(), { tieWordEmbeddings: false, modelType: 'qwen2' }, 8));
});
test.after(() => m.dispose());

const pairs = [
  { prompt: 'def f(x):\n', completion: '    return x\n' },
  { prompt: 'ab', completion: 'cd' },
];
const batchOf = () => makeBatch(pairs.map((p) => ({ ...m.encodePair(p.prompt, p.completion) })));

test('batches mask prompt targets; sequenceLogprobs equals logprobs() sums', async () => {
  const b = batchOf();
  assert.is(b.tokens, pairs.reduce((n, p) => n + m.countTokens(p.completion), 0));
  const seq = tf.tidy(() => Array.from(sequenceLogprobs(m.decoder, b, false).dataSync()));
  for (let i = 0; i < pairs.length; i++) {
    const ref = await m.logprobs(pairs[i].prompt, pairs[i].completion);
    assert.ok(Math.abs(seq[i] - ref.sum) < 1e-3, `${seq[i]} vs ${ref.sum}`);
  }
  assert.equal(truncate({ prompt: [1, 2, 3, 4], completion: [5, 6] }, 4), { prompt: [3, 4], completion: [5, 6] });
});

test('gradients of the masked loss match finite differences (embedding, attention, MLP, head, biases)', () => {
  const b = batchOf();
  const names = ['model.embed_tokens.weight', 'model.layers.0.self_attn.q_proj.weight', 'model.layers.0.self_attn.k_proj.bias', 'model.layers.1.mlp.down_proj.weight', 'model.layers.1.post_attention_layernorm.weight', 'lm_head.weight'];
  const vars = names.map((n) => m.decoder.params.get(n)!);
  const loss = () => completionNll(m.decoder, b, true);
  const { grads } = tf.variableGrads(loss, vars);
  for (const v of vars) {
    const g = grads[v.name].dataSync();
    const values = v.dataSync().slice();
    // The entry with the largest gradient, perturbed both ways.
    let k = 0;
    for (let i = 1; i < g.length; i++) if (Math.abs(g[i]) > Math.abs(g[k])) k = i;
    const at = (delta: number) => {
      const copy = values.slice();
      copy[k] += delta;
      v.assign(tf.tensor(copy, v.shape));
      return tf.tidy(() => completionNll(m.decoder, b, false).dataSync()[0]);
    };
    const eps = 1e-2;
    const fd = (at(eps) - at(-eps)) / (2 * eps);
    v.assign(tf.tensor(values, v.shape));
    assert.ok(Math.abs(fd - g[k]) <= 0.03 * Math.abs(g[k]) + 1e-3, `${v.name}: analytic ${g[k]} vs numeric ${fd}`);
  }
  tf.dispose(Object.values(grads));
});

test('log-sigmoid is stable and differentiable; schedule and clipping behave', () => {
  const z = tf.tensor1d([-100, -1, 0, 1, 100]);
  const v = Array.from(logSigmoid(z).dataSync());
  assert.ok(Math.abs(v[0] + 100) < 1e-4 && Math.abs(v[2] - Math.log(0.5)) < 1e-6 && Math.abs(v[4]) < 1e-6);
  const g = Array.from(tf.grad((x: tf.Tensor) => tf.sum(logSigmoid(x)))(z).dataSync());
  assert.ok(Math.abs(g[2] - 0.5) < 1e-6 && Math.abs(g[0] - 1) < 1e-6 && Math.abs(g[4]) < 1e-6);
  assert.ok(warmupCosine(0, { peak: 1, warmup: 10, total: 100 }) < 0.2);
  assert.is(warmupCosine(10, { peak: 1, warmup: 10, total: 100 }), 1);
  assert.ok(Math.abs(warmupCosine(100, { peak: 1, warmup: 10, total: 100, minRatio: 0.1 }) - 0.1) < 1e-9);
  const c = clipByGlobalNorm([tf.tensor1d([3, 4])], 1);
  assert.is(c.norm, 5);
  assert.ok(Math.abs(Math.hypot(...c.grads[0].dataSync()) - 1) < 1e-4);
});

test('AdamW steps lower the loss without leaking tensors', () => {
  const b = batchOf();
  const vars = m.decoder.trainableVariables();
  const opt = new AdamW(vars, decayMask(vars));
  const lossOf = () => tf.tidy(() => completionNll(m.decoder, b, false).dataSync()[0]);
  const first = lossOf();
  accumulateAndStep(opt, 1, () => completionNll(m.decoder, b, true), 1e-2, 1);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) accumulateAndStep(opt, 2, () => tf.div(completionNll(m.decoder, b, true), 2) as tf.Scalar, 1e-2, 1);
  assert.is(tf.memory().numTensors, before);
  assert.ok(lossOf() < first * 0.9, `${first} -> ${lossOf()}`);
  opt.dispose();
});

test.run();
