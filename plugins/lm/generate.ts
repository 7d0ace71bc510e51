// Batched sampling with a KV cache. Distinct prompts are prefilled once (left-padded, per-row
// positions, padding masked), their caches are copied to the n sample rows, then all rows decode in
// lockstep; finished rows are dropped from the batch (cache rows gathered) as they accumulate.
import * as tf from '@tensorflow/tfjs-core';
import { CrucibleError } from 'crucible-ml';
import { deriveSeed, SeededRng } from 'crucible-ml/util';
import type { LayerCache, Decoder } from './model.js';
import { chooseToken } from './sampling.js';
import type { TextTokenizer } from './tokenizer.js';
import type { Completion, SamplingParams } from './types.js';

export interface GenerateOptions {
  logprobs?: boolean;
  signal?: AbortSignal;
  /** Rows decoded together (prompts x n are split into chunks of this many). */
  maxBatch?: number;
  /** false recomputes the whole sequence every step (benchmark baseline). */
  useCache?: boolean;
}

interface Row {
  prompt: number; // index into the chunk's distinct prompts
  out: number; // index into the flat output
  rand: () => number;
  ids: number[];
  lps: number[];
  text: string;
  done: boolean;
  finish: 'stop' | 'length';
  stopAt: number; // text length to keep
}

/** Stop-string check over the text's new tail; returns the cut position or -1. */
function findStop(text: string, from: number, stops: string[]): number {
  let best = -1;
  for (const s of stops) {
    if (!s) continue;
    const i = text.indexOf(s, Math.max(0, from - s.length + 1));
    if (i >= 0 && (best < 0 || i < best)) best = i;
  }
  return best;
}

function finishRow(row: Row, tok: TextTokenizer, logprobs: boolean): Completion {
  let k = row.ids.length;
  let text = row.text;
  if (row.stopAt >= 0) {
    text = row.text.slice(0, row.stopAt);
    // Keep the fewest tokens that cover the kept text.
    k = 0;
    while (k < row.ids.length && tok.decode(row.ids.slice(0, k)).length < row.stopAt) k++;
  }
  const c: Completion = { text, tokens: k, finishReason: row.finish };
  if (logprobs) {
    c.logprobs = row.lps.slice(0, k);
    c.tokenTexts = row.ids.slice(0, k).map((id) => tok.tokenText(id));
  }
  return c;
}

export async function generate(model: Decoder, tok: TextTokenizer, prompts: string[], params: SamplingParams & { seeds?: number[] }, opts: GenerateOptions = {}): Promise<Completion[][]> {
  const n = Math.max(1, params.n);
  const maxBatch = Math.max(n, opts.maxBatch ?? 128);
  const eos = new Set([...tok.eosIds, ...model.config.eosTokenIds]);
  const promptIds = prompts.map((p) => {
    const ids = tok.encode(p, true);
    if (ids.length) return ids;
    const start = model.config.bosTokenId ?? [...eos][0];
    if (start === undefined) throw new CrucibleError('CRUCIBLE_E_MODEL', 'empty prompt and the model has no BOS/EOS token to start from');
    return [start];
  });
  const out: Completion[][] = prompts.map(() => []);
  const perChunk = Math.max(1, Math.floor(maxBatch / n));
  for (let start = 0; start < prompts.length; start += perChunk) {
    const idx = Array.from({ length: Math.min(perChunk, prompts.length - start) }, (_, i) => start + i);
    const rows: Row[] = [];
    idx.forEach((pi, local) => {
      const seed = params.seeds?.[pi] ?? deriveSeed(params.seed, `prompt:${pi}`);
      for (let j = 0; j < n; j++) {
        const rng = new SeededRng(deriveSeed(seed, `sample:${j}`));
        rows.push({ prompt: local, out: pi * n + j, rand: () => rng.next(), ids: [], lps: [], text: '', done: false, finish: 'length', stopAt: -1 });
      }
    });
    const done = await decodeChunk(model, tok, idx.map((i) => promptIds[i]), rows, params, eos, opts);
    for (const r of done) out[Math.floor(r.out / n)][r.out % n] = finishRow(r, tok, opts.logprobs ?? false);
  }
  return out;
}

async function decodeChunk(model: Decoder, tok: TextTokenizer, prompts: number[][], rows: Row[], params: SamplingParams, eos: Set<number>, opts: GenerateOptions): Promise<Row[]> {
  const V = model.config.vocabSize;
  const L = Math.max(...prompts.map((p) => p.length));
  const maxNew = Math.max(0, Math.min(params.maxTokens, model.config.maxPositions - L));
  const maxStop = Math.max(0, ...params.stop.map((s) => s.length));
  const pads = prompts.map((p) => L - p.length);
  const useCache = opts.useCache ?? true;
  const sampler = { temperature: params.temperature, topP: params.topP, topK: params.topK };
  if (maxNew === 0) return rows;

  // Prefill the distinct prompts, left-padded.
  const P = prompts.length;
  const ids = new Int32Array(P * L);
  const pos = new Int32Array(P * L);
  const mask = new Float32Array(P * L);
  prompts.forEach((p, b) => {
    for (let t = 0; t < L; t++) {
      const i = t - pads[b];
      ids[b * L + t] = i >= 0 ? p[i] : 0;
      pos[b * L + t] = Math.max(0, i);
      mask[b * L + t] = i >= 0 ? 1 : 0;
    }
  });
  let active = rows.slice();
  let cache: LayerCache[] | undefined;
  let logitsT = tf.tidy(() => {
    const r = model.forward(tf.tensor2d(ids, [P, L], 'int32'), { positions: tf.tensor2d(pos, [P, L], 'int32'), keyMask: mask, lastOnly: true, returnCache: useCache });
    const sel = tf.tensor1d(active.map((row) => row.prompt), 'int32');
    if (r.cache) {
      const expanded = r.cache.map((c) => ({ k: tf.gather(c.k, sel), v: tf.gather(c.v, sel) }));
      return { logits: tf.gather(r.logits, sel), cache: expanded };
    }
    return { logits: tf.gather(r.logits, sel) };
  }) as { logits: tf.Tensor; cache?: LayerCache[] };
  cache = logitsT.cache;
  let logits = logitsT.logits;

  const disposeCache = () => cache?.forEach((c) => { c.k.dispose(); c.v.dispose(); });
  try {
    for (let step = 0; step < maxNew; step++) {
      if (opts.signal?.aborted) throw new CrucibleError('CRUCIBLE_E_CANCELLED', 'generation was cancelled');
      const data = (await logits.data()) as Float32Array;
      logits.dispose();
      active.forEach((row, r) => {
        if (row.done) return;
        const choice = chooseToken(data, r * V, V, sampler, row.rand);
        if (eos.has(choice.token)) {
          row.done = true;
          row.finish = 'stop';
          return;
        }
        row.ids.push(choice.token);
        row.lps.push(choice.logprob);
        const prevLen = row.text.length;
        row.text = tok.decode(row.ids);
        if (maxStop) {
          const cut = findStop(row.text, Math.min(prevLen, row.text.length), params.stop);
          if (cut >= 0) {
            row.done = true;
            row.finish = 'stop';
            row.stopAt = cut;
          }
        }
        if (!row.done && row.ids.length >= maxNew) row.done = true;
      });
      const stillActive = active.filter((r) => !r.done);
      if (stillActive.length === 0) break;
      // Drop finished rows once they make up a quarter of the batch.
      const keepIdx = active.map((r, i) => (r.done ? -1 : i)).filter((i) => i >= 0);
      const compact = useCache && cache && keepIdx.length < active.length * 0.75;
      if (compact && cache) {
        const old = cache;
        cache = tf.tidy(() => {
          const sel = tf.tensor1d(keepIdx, 'int32');
          return old.map((c) => ({ k: tf.gather(c.k, sel), v: tf.gather(c.v, sel) }));
        }) as LayerCache[];
        old.forEach((c) => { c.k.dispose(); c.v.dispose(); });
      }
      const rowsNow = compact || !useCache ? stillActive : active;
      active = rowsNow;
      const R = active.length;
      const S = L + step + 1; // keys after this step
      const keyMask = new Float32Array(R * S);
      active.forEach((row, r) => {
        for (let s = 0; s < S; s++) keyMask[r * S + s] = s < pads[row.prompt] ? 0 : 1;
      });
      if (useCache && cache) {
        const tokIn = new Int32Array(R);
        const posIn = new Int32Array(R);
        active.forEach((row, r) => {
          tokIn[r] = row.ids[row.ids.length - 1] ?? 0; // finished rows keep decoding a dummy token until compacted
          posIn[r] = prompts[row.prompt].length + step;
        });
        const old = cache;
        const res = tf.tidy(() => {
          const f = model.forward(tf.tensor2d(tokIn, [R, 1], 'int32'), { positions: tf.tensor2d(posIn, [R, 1], 'int32'), cache: old, keyMask, lastOnly: true, returnCache: true });
          return { logits: f.logits, cache: f.cache as LayerCache[] };
        }) as unknown as { logits: tf.Tensor; cache: LayerCache[] };
        old.forEach((c) => { c.k.dispose(); c.v.dispose(); });
        cache = res.cache;
        logits = res.logits;
      } else {
        // No cache: run the whole left-padded sequence again.
        const full = new Int32Array(R * S);
        const fpos = new Int32Array(R * S);
        active.forEach((row, r) => {
          const p = prompts[row.prompt];
          const seq = [...p, ...row.ids];
          for (let s = 0; s < S; s++) {
            const i = s - pads[row.prompt];
            full[r * S + s] = i >= 0 ? seq[i] : 0;
            fpos[r * S + s] = Math.max(0, i);
          }
        });
        logits = tf.tidy(() => model.forward(tf.tensor2d(full, [R, S], 'int32'), { positions: tf.tensor2d(fpos, [R, S], 'int32'), keyMask, lastOnly: true }).logits);
      }
    }
    logits.dispose();
  } finally {
    if (!logits.isDisposed) logits.dispose();
    disposeCache();
  }
  return rows;
}
