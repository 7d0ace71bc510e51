// Pair batches: chosen and rejected sequences of the same pairs go through the model in one batch
// ([chosen..., rejected...]) so one forward pass gives both sides' summed completion log-probs.
import * as tf from '@tensorflow/tfjs-core';
import type { Decoder, LayerCache } from '../../lm/model.js';
import { makeBatch, sequenceLogprobs } from '../../lm/train/batch.js';
import { pickLogprobs } from '../../lm/train/logprob.js';
import type { TokenizedPair } from './data.js';

export interface PairForward {
  /** Summed completion log-probs [b] (differentiable when grad). */
  chosen: tf.Tensor1D;
  rejected: tf.Tensor1D;
  /** Completion tokens scored per chosen sequence (for a per-token NLL). */
  chosenTokens: number[];
  /** Positions the model computed (the shared prompt counted once). */
  positions: number;
  /** Tokens of the full sequences (prompt + chosen, prompt + rejected): the throughput figure comparable to other trainers. */
  sequenceTokens: number;
}

/** Completion targets scored for a pair side: all completion tokens, less the first when the prompt is empty. */
function scored(prompt: number[], completion: number[]): number {
  return prompt.length ? completion.length : Math.max(0, completion.length - 1);
}

/**
 * Both sides' log-probs with the prompt computed once: a prompt pass (all prompt tokens but the last)
 * fills a KV cache that the chosen and rejected rows share, then one pass over [last prompt token,
 * completion...] rows scores the completions. The same numbers as two full sequences, for P + 2C
 * positions instead of 2(P + C). Falls back to full sequences when a prompt is empty.
 */
export function pairForward(model: Decoder, pairs: TokenizedPair[], grad: boolean, padId: number, shared = true): PairForward {
  if (shared && pairs.every((p) => p.prompt.length > 0)) return sharedPromptForward(model, pairs, grad, padId);
  return fullForward(model, pairs, grad, padId);
}

function sharedPromptForward(model: Decoder, pairs: TokenizedPair[], grad: boolean, padId: number): PairForward {
  const b = pairs.length;
  const pre = pairs.map((p) => p.prompt.slice(0, -1));
  const P = Math.max(0, ...pre.map((x) => x.length));
  const rows = [...pairs.map((p) => p.chosen), ...pairs.map((p) => p.rejected)];
  const T = Math.max(1, ...rows.map((r) => r.length));
  const n = 2 * b;
  const ids = new Int32Array(n * T).fill(padId);
  const targets = new Int32Array(n * T).fill(padId);
  const mask = new Float32Array(n * T);
  const pos = new Int32Array(n * T);
  const keyMask = new Float32Array(n * (P + T));
  let positions = 0;
  rows.forEach((comp, r) => {
    const i = r % b;
    const input = [pairs[i].prompt.at(-1)!, ...comp.slice(0, -1)];
    for (let j = 0; j < T; j++) {
      if (j < comp.length) {
        ids[r * T + j] = input[j];
        targets[r * T + j] = comp[j];
        mask[r * T + j] = 1;
        keyMask[r * (P + T) + P + j] = 1;
        positions++;
      }
      pos[r * T + j] = pre[i].length + j;
    }
    for (let j = 0; j < pre[i].length; j++) keyMask[r * (P + T) + j] = 1;
  });
  // Each distinct prompt goes through the prompt pass once (pairs of one problem share it).
  const keys = pre.map((x) => x.join(','));
  const unique = [...new Set(keys)];
  const slot = keys.map((k) => unique.indexOf(k));
  const u = unique.length;
  return tf.tidy(() => {
    let cache: LayerCache[] | undefined;
    if (P > 0) {
      const pIds = new Int32Array(u * P).fill(padId);
      const pMask = new Float32Array(u * P);
      unique.forEach((_, s) => {
        pre[slot.indexOf(s)].forEach((t, j) => { pIds[s * P + j] = t; pMask[s * P + j] = 1; });
      });
      const out = model.forward(tf.tensor2d(pIds, [u, P], 'int32'), { grad, keyMask: pMask, returnCache: true, lastOnly: true });
      // Rows (chosen..., rejected...) take their prompt's keys/values; slices + concat, whose gradients
      // wasm has (gather's needs UnsortedSegmentSum, which it lacks).
      positions += pMask.reduce((a, x) => a + x, 0);
      const rowsOf = (t: tf.Tensor4D) => {
        if (u === 1) return tf.concat(Array.from({ length: n }, () => t), 0) as tf.Tensor4D;
        const parts = Array.from({ length: u }, (_, s) => tf.slice(t, [s, 0, 0, 0], [1, -1, -1, -1]));
        return tf.concat(Array.from({ length: n }, (_, r) => parts[slot[r % b]]), 0) as tf.Tensor4D;
      };
      cache = out.cache!.map((c) => ({ k: rowsOf(c.k), v: rowsOf(c.v) }));
    }
    const logits = model.forward(tf.tensor2d(ids, [n, T], 'int32'), { grad, cache, keyMask, positions: tf.tensor2d(pos, [n, T], 'int32') }).logits;
    const flat = tf.reshape(logits, [n * T, model.config.vocabSize]) as tf.Tensor2D;
    const lp = tf.reshape(tf.mul(pickLogprobs(flat, tf.tensor1d(targets, 'int32')), tf.tensor1d(mask)), [n, T]);
    const all = tf.sum(lp, 1) as tf.Tensor1D;
    return {
      chosen: tf.slice(all, [0], [b]) as tf.Tensor1D,
      rejected: tf.slice(all, [b], [b]) as tf.Tensor1D,
      chosenTokens: pairs.map((p) => Math.max(1, p.chosen.length)),
      positions,
      sequenceTokens: seqTokens(pairs),
    };
  });
}

function fullForward(model: Decoder, pairs: TokenizedPair[], grad: boolean, padId: number): PairForward {
  const b = pairs.length;
  const batch = makeBatch([...pairs.map((p) => ({ prompt: p.prompt, completion: p.chosen })), ...pairs.map((p) => ({ prompt: p.prompt, completion: p.rejected }))], padId);
  const all = sequenceLogprobs(model, batch, grad);
  const chosen = tf.slice(all, [0], [b]) as tf.Tensor1D;
  const rejected = tf.slice(all, [b], [b]) as tf.Tensor1D;
  all.dispose();
  return { chosen, rejected, chosenTokens: pairs.map((p) => Math.max(1, scored(p.prompt, p.chosen))), positions: batch.positions, sequenceTokens: seqTokens(pairs) };
}

const seqTokens = (pairs: TokenizedPair[]) => pairs.reduce((a, p) => a + 2 * p.prompt.length + p.chosen.length + p.rejected.length, 0);

/** Order for forward-only passes: similar lengths together (less padding), in batches of `size`. */
export function lengthSortedBatches(pairs: TokenizedPair[], size: number): number[][] {
  // By prompt (length, then content: same prompts together share one prompt pass), then completion length.
  const key = pairs.map((p) => p.prompt.join(','));
  const comp = (p: TokenizedPair) => Math.max(p.chosen.length, p.rejected.length);
  const idx = pairs.map((_, i) => i).sort((a, b) => pairs[a].prompt.length - pairs[b].prompt.length || (key[a] < key[b] ? -1 : key[a] > key[b] ? 1 : 0) || comp(pairs[a]) - comp(pairs[b]));
  const out: number[][] = [];
  for (let i = 0; i < idx.length; i += size) out.push(idx.slice(i, i + size));
  return out;
}

/** Plain per-pair log-probs (no gradients) for all pairs, in the pairs' order. */
export async function scorePairs(model: Decoder, pairs: TokenizedPair[], size: number, padId: number, between?: () => Promise<void>): Promise<{ chosen: number[]; rejected: number[]; positions: number; sequenceTokens: number }> {
  const chosen = new Array<number>(pairs.length).fill(0);
  const rejected = new Array<number>(pairs.length).fill(0);
  let positions = 0;
  let sequenceTokens = 0;
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
    sequenceTokens += f.sequenceTokens;
    if (between) await between();
  }
  return { chosen, rejected, positions, sequenceTokens };
}
