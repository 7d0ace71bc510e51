// DPO-family losses over per-sequence summed log-probs. Policy terms carry gradients; reference terms are
// constants computed once before training.
import * as tf from '@tensorflow/tfjs-core';

export type LossType = 'sigmoid' | 'ipo' | 'hinge';

export interface PreferenceLogps {
  /** Policy log-probs of the chosen / rejected completions, shape [batch]. */
  policyChosen: tf.Tensor1D;
  policyRejected: tf.Tensor1D;
  /** Reference log-probs (constants), shape [batch]. */
  refChosen: tf.Tensor1D;
  refRejected: tf.Tensor1D;
  /** Mean per-token NLL of the chosen completion under the policy (for the RPO term), shape [batch]. */
  chosenNll?: tf.Tensor1D;
}

export interface LossOptions {
  type: LossType;
  beta: number;
  /** Weight of the NLL term on the chosen completion (RPO); 0 turns it off. */
  rpoAlpha: number;
}

/** log σ(z) = min(z, 0) - log1p(exp(-|z|)): stable for large |z|, and differentiable on wasm (tf.logSigmoid's gradient is not). */
export function logSigmoid(z: tf.Tensor): tf.Tensor {
  return tf.sub(tf.minimum(z, 0), tf.log1p(tf.exp(tf.neg(tf.abs(z)))));
}

/** Mean loss over the batch (a scalar with gradients through the policy terms). */
export function preferenceLoss(logps: PreferenceLogps, options: LossOptions): tf.Scalar {
  return tf.tidy(() => {
    const logits = tf.sub(tf.sub(logps.policyChosen, logps.policyRejected), tf.sub(logps.refChosen, logps.refRejected));
    let perPair: tf.Tensor;
    if (options.type === 'sigmoid') perPair = tf.neg(logSigmoid(tf.mul(logits, options.beta)));
    else if (options.type === 'ipo') perPair = tf.square(tf.sub(logits, 1 / (2 * options.beta)));
    else perPair = tf.relu(tf.sub(1, tf.mul(logits, options.beta)));
    let loss = tf.mean(perPair) as tf.Scalar;
    if (options.rpoAlpha > 0 && logps.chosenNll) loss = tf.add(loss, tf.mul(tf.mean(logps.chosenNll), options.rpoAlpha)) as tf.Scalar;
    return loss;
  });
}

/** TRL's logged names, from plain numbers (after the step). */
export interface RewardStats {
  'rewards/chosen': number;
  'rewards/rejected': number;
  'rewards/accuracies': number;
  'rewards/margins': number;
  'logps/chosen': number;
  'logps/rejected': number;
}

export function rewardStats(beta: number, policyChosen: number[], policyRejected: number[], refChosen: number[], refRejected: number[]): RewardStats {
  const n = policyChosen.length || 1;
  let chosen = 0;
  let rejected = 0;
  let correct = 0;
  for (let i = 0; i < policyChosen.length; i++) {
    const rc = beta * (policyChosen[i] - refChosen[i]);
    const rr = beta * (policyRejected[i] - refRejected[i]);
    chosen += rc;
    rejected += rr;
    if (rc > rr) correct++;
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / n;
  return {
    'rewards/chosen': chosen / n,
    'rewards/rejected': rejected / n,
    'rewards/accuracies': correct / n,
    'rewards/margins': (chosen - rejected) / n,
    'logps/chosen': mean(policyChosen),
    'logps/rejected': mean(policyRejected),
  };
}
