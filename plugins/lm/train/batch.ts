// (prompt, completion) token sequences -> right-padded training batches whose mask marks the
// completion targets only, and the per-sequence / per-token log-probs a trainer differentiates.
import * as tf from '@tensorflow/tfjs-core';
import type { Decoder } from '../model.js';
import { pickLogprobs } from './logprob.js';

export interface SeqExample {
  prompt: number[];
  completion: number[];
}

export interface SeqBatch {
  /** Inputs [B, T] (sequence without its last token), right-padded. */
  ids: Int32Array;
  /** Next tokens [B, T]. */
  targets: Int32Array;
  /** 1 where the target is a completion token. */
  mask: Float32Array;
  B: number;
  T: number;
  /** Completion targets in the batch (sum of mask). */
  tokens: number;
  /** All real (non-pad) input positions, for throughput figures. */
  positions: number;
}

/**
 * Fits a pair into `maxLength` tokens: the prompt loses tokens from its start first (the end of a
 * prompt matters most to its completion), then the completion is cut at the end.
 */
export function truncate(ex: SeqExample, maxLength: number): SeqExample {
  if (ex.prompt.length + ex.completion.length <= maxLength) return ex;
  const completion = ex.completion.slice(0, Math.max(1, maxLength - 1));
  const room = Math.max(1, maxLength - completion.length);
  return { prompt: ex.prompt.slice(-room), completion };
}

export function makeBatch(examples: SeqExample[], padId = 0): SeqBatch {
  const B = examples.length;
  const T = Math.max(1, ...examples.map((e) => e.prompt.length + e.completion.length - 1));
  const ids = new Int32Array(B * T).fill(padId);
  const targets = new Int32Array(B * T).fill(padId);
  const mask = new Float32Array(B * T);
  let tokens = 0;
  let positions = 0;
  examples.forEach((e, b) => {
    const seq = [...e.prompt, ...e.completion];
    for (let t = 0; t + 1 < seq.length; t++) {
      ids[b * T + t] = seq[t];
      targets[b * T + t] = seq[t + 1];
      // Target t+1 is a completion token when t+1 >= prompt length.
      if (t + 1 >= e.prompt.length) {
        mask[b * T + t] = 1;
        tokens++;
      }
      positions++;
    }
  });
  return { ids, targets, mask, B, T, tokens, positions };
}

/** log p(target) per position [B, T] (0 where masked out); differentiable when `grad`. */
export function tokenLogprobs(model: Decoder, batch: SeqBatch, grad = true): tf.Tensor2D {
  return tf.tidy(() => {
    const logits = model.forward(tf.tensor2d(batch.ids, [batch.B, batch.T], 'int32'), { grad }).logits;
    const flat = tf.reshape(logits, [batch.B * batch.T, model.config.vocabSize]) as tf.Tensor2D;
    const lp = pickLogprobs(flat, tf.tensor1d(batch.targets, 'int32'));
    return tf.reshape(tf.mul(lp, tf.tensor1d(batch.mask)), [batch.B, batch.T]) as tf.Tensor2D;
  });
}

/**
 * Summed completion log-probs per sequence [B]: the quantity DPO compares between policy and reference.
 * Use inside tf.variableGrads / optimizer closures (grad = true) or for reference scores (grad = false).
 */
export function sequenceLogprobs(model: Decoder, batch: SeqBatch, grad = true): tf.Tensor1D {
  return tf.tidy(() => tf.sum(tokenLogprobs(model, batch, grad), 1) as tf.Tensor1D);
}

/** Summed negative log-likelihood of the completion tokens (divide by a token count for a mean). */
export function completionNll(model: Decoder, batch: SeqBatch, grad = true): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.sum(tokenLogprobs(model, batch, grad))) as tf.Scalar);
}
