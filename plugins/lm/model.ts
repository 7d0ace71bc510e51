// The Llama-family causal decoder: token embedding, RMSNorm, RoPE (rope_theta), grouped-query
// attention with an optional KV cache and key padding mask, SwiGLU MLP, tied or untied head,
// optional q/k/v biases (Qwen2), optional LoRA adapters on any linear projection.
import * as tf from '@tensorflow/tfjs-core';
import type { DecoderConfig } from './config.js';
import { embed, matmul, matmulBT } from './train/matmul.js';
import { applyRope, ropeTables, rotateHalfMatrix } from './rope.js';

// A type alias (not an interface) so it fits tf.tidy's TensorContainer.
export type LayerCache = {
  k: tf.Tensor4D; // [B, kvHeads, S, headDim]
  v: tf.Tensor4D;
};

export interface LoraLayer {
  a: tf.Variable; // [in, r]  (PEFT lora_A.weight is [r, in])
  b: tf.Variable; // [r, out] (PEFT lora_B.weight is [out, r])
  scale: number;
  dropout: number;
}

export interface ForwardOptions {
  /** int32 [B, T] positions; default past + 0..T-1 for every row. */
  positions?: tf.Tensor2D;
  /** Past keys/values per layer (not disposed here). */
  cache?: LayerCache[];
  /** [B * S_total] 1 = attend, 0 = padding, row-major over the batch; S_total counts past keys too. */
  keyMask?: Float32Array;
  /** Training: gradient-friendly ops (custom matmul/embedding grads) and LoRA dropout. */
  grad?: boolean;
  /** Only the last position's logits ([B, V] instead of [B, T, V]). */
  lastOnly?: boolean;
  /** Return the updated cache (new tensors the caller owns). */
  returnCache?: boolean;
}

export interface ForwardResult {
  logits: tf.Tensor;
  cache?: LayerCache[];
}

const NEG = -1e9;

export class Decoder {
  lora?: Map<string, LoraLayer>;
  private ropeLen = 0;
  private cos?: tf.Tensor2D;
  private sin?: tf.Tensor2D;
  private rotate?: tf.Tensor2D;
  private dropoutSeed?: number;
  private dropoutCalls = 0;

  constructor(
    readonly config: DecoderConfig,
    readonly params: Map<string, tf.Variable>,
  ) {}

  /** Seeds the LoRA dropout masks of the next training forward passes (a training step's seed). */
  seedDropout(seed: number): void {
    this.dropoutSeed = seed;
    this.dropoutCalls = 0;
  }

  private p(name: string): tf.Variable {
    const v = this.params.get(name);
    if (!v) throw new Error(`decoder parameter ${name} missing`);
    return v;
  }

  /** cos/sin tables [len, headDim] (see rope.ts), grown on demand. */
  private rope(len: number): [tf.Tensor2D, tf.Tensor2D] {
    if (len > this.ropeLen || !this.cos || !this.sin) {
      const n = Math.max(len, this.ropeLen * 2, 256);
      this.cos?.dispose();
      this.sin?.dispose();
      [this.cos, this.sin] = ropeTables(n, this.config.headDim, this.config.ropeTheta).map((t) => tf.keep(t)) as [tf.Tensor2D, tf.Tensor2D];
      this.ropeLen = n;
    }
    this.rotate ??= tf.keep(rotateHalfMatrix(this.config.headDim));
    return [this.cos, this.sin];
  }

  /** x [N, in] -> [N, out] through module `name` (+ bias, + LoRA). */
  linear(x: tf.Tensor2D, name: string, grad: boolean): tf.Tensor2D {
    const w = this.p(`${name}.weight`);
    let y = (grad ? matmul(x, w) : tf.matMul(x, w as tf.Tensor2D)) as tf.Tensor2D;
    const bias = this.params.get(`${name}.bias`);
    if (bias) y = tf.add(y, bias);
    const lora = this.lora?.get(name);
    if (lora) {
      // Seeded masks (one per call, from the step's seed) so a resumed run draws the same ones.
      const xin = grad && lora.dropout > 0 ? tf.dropout(x, lora.dropout, undefined, this.dropoutSeed === undefined ? undefined : `${this.dropoutSeed}:${this.dropoutCalls++}`) : x;
      const mm = grad ? matmul : tf.matMul;
      y = tf.add(y, tf.mul(mm(mm(xin, lora.a), lora.b), lora.scale));
    }
    return y;
  }

  private rmsNorm(x: tf.Tensor, name: string): tf.Tensor {
    const ms = tf.mean(tf.square(x), -1, true);
    return tf.mul(tf.mul(x, tf.rsqrt(tf.add(ms, this.config.rmsNormEps))), this.p(name));
  }

  /** Additive attention bias [B|1, 1, T, S] (causal within the new tokens + key padding), or null. */
  private attentionBias(batch: number, t: number, past: number, keyMask?: Float32Array): tf.Tensor4D | null {
    const s = past + t;
    if (!keyMask && t === 1) return null;
    const rows = keyMask ? batch : 1;
    const bias = new Float32Array(rows * t * s);
    for (let b = 0; b < rows; b++) {
      for (let i = 0; i < t; i++) {
        const base = (b * t + i) * s;
        for (let j = 0; j < s; j++) {
          const masked = j > past + i || (keyMask !== undefined && keyMask[b * s + j] === 0);
          if (masked) bias[base + j] = NEG;
        }
      }
    }
    return tf.tensor4d(bias, [rows, 1, t, s]);
  }

  forward(ids: tf.Tensor2D, opts: ForwardOptions = {}): ForwardResult {
    const c = this.config;
    const grad = opts.grad ?? false;
    const [B, T] = ids.shape;
    const past = opts.cache?.[0]?.k.shape[2] ?? 0;
    const hd = c.headDim;
    const rep = c.numHeads / c.numKvHeads;
    const [cosT, sinT] = this.rope(past + T + 1);
    let cos: tf.Tensor;
    let sin: tf.Tensor;
    if (opts.positions) {
      const flat = tf.reshape(opts.positions, [-1]) as tf.Tensor1D;
      cos = tf.reshape(tf.gather(cosT, flat), [B, 1, T, hd]);
      sin = tf.reshape(tf.gather(sinT, flat), [B, 1, T, hd]);
    } else {
      cos = tf.reshape(tf.slice(cosT, [past, 0], [T, hd]), [1, 1, T, hd]);
      sin = tf.reshape(tf.slice(sinT, [past, 0], [T, hd]), [1, 1, T, hd]);
    }
    const bias4 = this.attentionBias(B, T, past, opts.keyMask);
    // Query heads sharing a kv head are stacked along the row axis: [B, kvH, rep*T, hd] (no k/v copies).
    const bias = bias4 && rep > 1 ? tf.tile(bias4, [1, 1, rep, 1]) : bias4;
    const scale = 1 / Math.sqrt(hd);
    const newCache: LayerCache[] = [];

    let h = tf.reshape(embed(this.p('model.embed_tokens.weight') as tf.Tensor2D, ids, grad), [B * T, c.hiddenSize]) as tf.Tensor2D;
    for (let l = 0; l < c.numLayers; l++) {
      const pre = `model.layers.${l}`;
      const x = this.rmsNorm(h, `${pre}.input_layernorm.weight`) as tf.Tensor2D;
      // [B*T, n*hd] -> [B, n, T, hd]; with one new token that is only a reshape (decoding), no transpose copy.
      const heads = (y: tf.Tensor2D, n: number) => (T === 1 ? tf.reshape(y, [B, n, 1, hd]) : tf.transpose(tf.reshape(y, [B, T, n, hd]), [0, 2, 1, 3])) as tf.Tensor4D;
      const rope = (y: tf.Tensor4D) => applyRope(y, cos, sin, this.rotate!, grad);
      const q = rope(heads(this.linear(x, `${pre}.self_attn.q_proj`, grad), c.numHeads));
      let k = rope(heads(this.linear(x, `${pre}.self_attn.k_proj`, grad), c.numKvHeads));
      let v = heads(this.linear(x, `${pre}.self_attn.v_proj`, grad), c.numKvHeads);
      const pc = opts.cache?.[l];
      if (pc) {
        k = tf.concat([pc.k, k], 2);
        v = tf.concat([pc.v, v], 2);
      }
      if (opts.returnCache) newCache.push({ k, v });
      const qg = tf.reshape(q, [B, c.numKvHeads, rep * T, hd]);
      let scores = tf.mul(matmulBT(qg, k, grad), scale);
      if (bias) scores = tf.add(scores, bias);
      const probs = tf.softmax(scores);
      const att = grad ? matmul(probs, v) : tf.matMul(probs, v);
      const merged = (T === 1 ? tf.reshape(att, [B, c.numHeads * hd]) : tf.reshape(tf.transpose(tf.reshape(att, [B, c.numHeads, T, hd]), [0, 2, 1, 3]), [B * T, c.numHeads * hd])) as tf.Tensor2D;
      h = tf.add(h, this.linear(merged, `${pre}.self_attn.o_proj`, grad));
      const x2 = this.rmsNorm(h, `${pre}.post_attention_layernorm.weight`) as tf.Tensor2D;
      const gate = this.linear(x2, `${pre}.mlp.gate_proj`, grad);
      const up = this.linear(x2, `${pre}.mlp.up_proj`, grad);
      const act = tf.mul(tf.mul(gate, tf.sigmoid(gate)), up) as tf.Tensor2D;
      h = tf.add(h, this.linear(act, `${pre}.mlp.down_proj`, grad));
    }
    let last: tf.Tensor2D = h;
    if (opts.lastOnly) last = tf.reshape(tf.slice(tf.reshape(h, [B, T, c.hiddenSize]), [0, T - 1, 0], [B, 1, c.hiddenSize]), [B, c.hiddenSize]);
    const normed = this.rmsNorm(last, 'model.norm.weight') as tf.Tensor2D;
    const logits = c.tieWordEmbeddings
      ? matmulBT(normed, this.p('model.embed_tokens.weight'), grad)
      : this.linear(normed, 'lm_head', grad);
    return {
      logits: opts.lastOnly ? logits : tf.reshape(logits, [B, T, c.vocabSize]),
      cache: opts.returnCache ? newCache : undefined,
    };
  }

  /** Variables a full fine-tune trains (all of them), or the LoRA factors when adapters are attached. */
  trainableVariables(): tf.Variable[] {
    if (this.lora?.size) return [...this.lora.values()].flatMap((l) => [l.a, l.b]);
    return [...this.params.values()];
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    for (const l of this.lora?.values() ?? []) {
      l.a.dispose();
      l.b.dispose();
    }
    this.cos?.dispose();
    this.sin?.dispose();
    this.rotate?.dispose();
    this.cos = this.sin = this.rotate = undefined;
    this.ropeLen = 0;
  }
}
