import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { logSigmoid, preferenceLoss, rewardStats } from '../../../plugins/trainers/dpo/loss.js';
import { applyLengthPolicy } from '../../../plugins/trainers/dpo/data.js';

// A fixed toy batch of two pairs; expected values worked out by hand (see comments).
const batch = { pc: [-5, -3], pr: [-6, -2], rc: [-5.5, -3], rr: [-5.5, -2.5] };
// logits = (pc - pr) - (rc - rr) = [1, -0.5]
const logps = () => ({
  policyChosen: tf.tensor1d(batch.pc),
  policyRejected: tf.tensor1d(batch.pr),
  refChosen: tf.tensor1d(batch.rc),
  refRejected: tf.tensor1d(batch.rr),
  chosenNll: tf.tensor1d([0.5, 1.5]),
});
const close = (a: number, b: number, eps = 1e-5) => assert.ok(Math.abs(a - b) < eps, `${a} != ${b}`);

test.before(async () => {
  await tf.setBackend('cpu');
});

test('sigmoid (DPO) loss: mean of -log σ(β·logits)', () => {
  // -log σ(0.1) = log(1 + e^-0.1) = 0.6443967; -log σ(-0.05) = log(1 + e^0.05) = 0.7184596
  const loss = preferenceLoss(logps(), { type: 'sigmoid', beta: 0.1, rpoAlpha: 0 }).dataSync()[0];
  close(loss, (0.6443967 + 0.7184596) / 2);
});

test('IPO loss: mean of (logits - 1/(2β))²', () => {
  // (1 - 5)² = 16, (-0.5 - 5)² = 30.25
  close(preferenceLoss(logps(), { type: 'ipo', beta: 0.1, rpoAlpha: 0 }).dataSync()[0], 23.125, 1e-4);
});

test('hinge loss: mean of relu(1 - β·logits)', () => {
  // relu(1 - 0.1) = 0.9, relu(1 + 0.05) = 1.05
  close(preferenceLoss(logps(), { type: 'hinge', beta: 0.1, rpoAlpha: 0 }).dataSync()[0], 0.975);
});

test('RPO adds alpha times the chosen NLL', () => {
  const base = preferenceLoss(logps(), { type: 'sigmoid', beta: 0.1, rpoAlpha: 0 }).dataSync()[0];
  const rpo = preferenceLoss(logps(), { type: 'sigmoid', beta: 0.1, rpoAlpha: 2 }).dataSync()[0];
  close(rpo - base, 2 * 1.0);
});

test('rewards and accuracies with TRL names', () => {
  // rewards chosen = β(pc - rc) = [0.05, 0]; rejected = β(pr - rr) = [-0.05, 0.05]
  const s = rewardStats(0.1, batch.pc, batch.pr, batch.rc, batch.rr);
  close(s['rewards/chosen'], 0.025);
  close(s['rewards/rejected'], 0);
  close(s['rewards/accuracies'], 0.5);
  close(s['rewards/margins'], 0.025);
  close(s['logps/chosen'], -4);
  close(s['logps/rejected'], -4);
});

test('log-sigmoid is stable for large |z|', () => {
  const z = tf.tensor1d([-1000, -1, 0, 1, 1000]);
  const out = Array.from(logSigmoid(z).dataSync());
  close(out[0], -1000);
  close(out[2], Math.log(0.5));
  close(out[4], 0);
});

test('length policy: truncate vs drop, counted', () => {
  const pair = (p: number, c: number, r: number) => ({ prompt: Array(p).fill(1), chosen: Array(c).fill(2), rejected: Array(r).fill(3), source: { prompt: '', chosen: '', rejected: '' } });
  const pairs = [pair(4, 4, 4), pair(10, 10, 3), pair(2, 3, 3)];
  const t = applyLengthPolicy(pairs, 12, 'truncate');
  assert.equal([t.report.kept, t.report.truncated, t.report.dropped], [3, 1, 0]);
  assert.ok(t.pairs.every((p) => p.prompt.length + Math.max(p.chosen.length, p.rejected.length) <= 12));
  const d = applyLengthPolicy(pairs, 12, 'drop');
  assert.equal([d.report.kept, d.report.truncated, d.report.dropped], [2, 0, 1]);
});

test.run();
