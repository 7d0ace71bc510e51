// Log-probabilities of target tokens from logits, with a fused gradient (softmax - onehot), plus the
// numerically stable log-sigmoid the DPO loss needs.
import * as tf from '@tensorflow/tfjs-core';

type CustomGradFn = Parameters<typeof tf.customGrad>[0];

/**
 * logits [N, V], targets int32 [N] -> log p(target) [N]. The gradient with respect to the logits is
 * dy * (onehot - softmax), computed directly (no gather gradient, which wasm lacks).
 */
export function pickLogprobs(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  const V = logits.shape[1];
  const f = tf.customGrad(((x: tf.Tensor2D, save: tf.GradSaveFunc) => {
    const lse = tf.logSumExp(x, 1, true);
    const logp = tf.sub(x, lse);
    // wasm's OneHot ignores the dtype argument (writes int32): cast explicitly.
    const onehot = tf.cast(tf.oneHot(targets, V), 'float32');
    save([logp, onehot]);
    return {
      value: tf.sum(tf.mul(logp, onehot), 1),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [lp, oh] = saved;
        return [tf.mul(tf.expandDims(dy, 1), tf.sub(oh, tf.exp(lp)))];
      },
    };
  }) as unknown as CustomGradFn) as (x: tf.Tensor) => tf.Tensor1D;
  return f(logits);
}

/** log(sigmoid(z)) written as min(z, 0) - log1p(exp(-|z|)): stable and differentiable on intermediate tensors. */
export function logSigmoid(z: tf.Tensor): tf.Tensor {
  return tf.sub(tf.minimum(z, 0), tf.log1p(tf.exp(tf.neg(tf.abs(z)))));
}
