// Pair batches: chosen and rejected sequences of the same pairs go through the model in one batch
// ([chosen..., rejected...]) so one forward pass gives both sides' summed completion log-probs.
import * as tf from '@tensorflow/tfjs-core';
import type { Decoder } from '../../lm/model.js';
import { makeBatch, sequenceLogprobs } from '../../lm/train/batch.js';
import type { TokenizedPair } from './data.js';

export interface PairForward {
  /** Summed completion log-probs [b] (differentiable when grad). */
  chosen: tf.Tensor1D;
  rejected: tf.Tensor1D;
  /** Completion tokens scored per chosen sequence (for a per-token NLL). */
  chosenTokens: number[];
  /** Non-pad positions in the batch (throughput). */
  positions: number;
}

/** Completion targets scored for a pair side: all completion tokens, less the first when the prompt is empty. */
function scored(prompt: number[], completion: number[]): number {
  return prompt.length ? completion.length : Math.max(0, completion.length - 1);
}

export function pairForward(model: Decoder, pairs: TokenizedPair[], grad: boolean, padId: number): PairForward {
  const b = pairs.length;
  const batch = makeBatch([...pairs.map((p) => ({ prompt: p.prompt, completion: p.chosen })), ...pairs.map((p) => ({ prompt: p.prompt, completion: p.rejected }))], padId);
  const all = sequenceLogprobs(model, batch, grad);
  const chosen = tf.slice(all, [0], [b]) as tf.Tensor1D;
  const rejected = tf.slice(all, [b], [b]) as tf.Tensor1D;
  all.dispose();
  return { chosen, rejected, chosenTokens: pairs.map((p) => Math.max(1, scored(p.prompt, p.chosen))), positions: batch.positions };
}

/** Order for forward-only passes: similar lengths together (less padding), in batches of `size`. */
export function lengthSortedBatches(pairs: TokenizedPair[], size: number): number[][] {
  const len = (p: TokenizedPair) => p.prompt.length + Math.max(p.chosen.length, p.rejected.length);
  const idx = pairs.map((_, i) => i).sort((a, b) => len(pairs[a]) - len(pairs[b]));
  const out: number[][] = [];
  for (let i = 0; i < idx.length; i += size) out.push(idx.slice(i, i + size));
  return out;
}

/** Plain per-pair log-probs (no gradients) for all pairs, in the pairs' order. */
export async function scorePairs(model: Decoder, pairs: TokenizedPair[], size: number, padId: number, between?: () => Promise<void>): Promise<{ chosen: number[]; rejected: number[]; positions: number }> {
  const chosen = new Array<number>(pairs.length).fill(0);
  const rejected = new Array<number>(pairs.length).fill(0);
  let positions = 0;
  for (const group of lengthSortedBatches(pairs, size)) {
    const f = pairForward(model, group.map((i) => pairs[i]), false, padId);
    const c = f.chosen.dataSync();
    const r = f.rejected.dataSync();
    group.forEach((i, k) => {
      chosen[i] = c[k];
      rejected[i] = r[k];
    });
    f.chosen.dispose();
    f.rejected.dispose();
    positions += f.positions;
    if (between) await between();
  }
  return { chosen, rejected, positions };
}
