// One optimizer step over micro-batches (gradient accumulation): grads of each micro-batch loss are
// summed, clipped by global norm, then applied by AdamW. A DPO trainer passes its own loss function.
import * as tf from '@tensorflow/tfjs-core';
import { AdamW, clipByGlobalNorm } from './optim.js';

export interface StepResult {
  /** Sum of the micro-batch losses as returned by `loss`. */
  loss: number;
  gradNorm: number;
}

/**
 * `loss(i)` builds micro-batch i's scalar loss (already scaled so the sum over micro-batches is the
 * step's objective, e.g. token-sum / total tokens). Runs `micro` of them and applies one update.
 */
export function accumulateAndStep(opt: AdamW, micro: number, loss: (i: number) => tf.Scalar, lr: number, clip: number): StepResult {
  let total = 0;
  let acc: tf.Tensor[] | undefined;
  for (let i = 0; i < micro; i++) {
    const { value, grads } = tf.variableGrads(() => loss(i), opt.vars);
    total += value.dataSync()[0];
    value.dispose();
    const list = opt.vars.map((v) => grads[v.name] ?? tf.zerosLike(v));
    if (!acc) acc = list;
    else {
      const prev: tf.Tensor[] = acc;
      acc = prev.map((a, j) => tf.add(a, list[j]));
      prev.forEach((t) => t.dispose());
      list.forEach((t) => t.dispose());
    }
  }
  const grads = acc ?? [];
  const clipped = clipByGlobalNorm(grads, clip);
  opt.apply(clipped.grads, lr);
  if (clipped.grads !== grads) clipped.grads.forEach((t) => t.dispose());
  grads.forEach((t) => t.dispose());
  return { loss: total, gradNorm: clipped.norm };
}
