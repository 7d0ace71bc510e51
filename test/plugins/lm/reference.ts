// An independent float64 Llama forward pass over plain arrays, reading HF-layout ([out, in]) weights.
import type { NamedTensor } from '../../../plugins/lm/safetensors.js';

type W = Map<string, NamedTensor>;

function matvec(w: NamedTensor, x: number[], bias?: NamedTensor): number[] {
  const [out, inn] = w.shape;
  const y = new Array<number>(out).fill(0);
  for (let o = 0; o < out; o++) {
    let s = bias ? bias.data[o] : 0;
    for (let i = 0; i < inn; i++) s += w.data[o * inn + i] * x[i];
    y[o] = s;
  }
  return y;
}

function rmsnorm(x: number[], w: NamedTensor, eps: number): number[] {
  const ms = x.reduce((a, v) => a + v * v, 0) / x.length;
  const r = 1 / Math.sqrt(ms + eps);
  return x.map((v, i) => v * r * w.data[i]);
}

function rope(v: number[], pos: number, hd: number, theta: number): number[] {
  const half = hd / 2;
  const out = v.slice();
  for (let i = 0; i < half; i++) {
    const a = pos * Math.pow(theta, (-2 * i) / hd);
    out[i] = v[i] * Math.cos(a) - v[i + half] * Math.sin(a);
    out[i + half] = v[i + half] * Math.cos(a) + v[i] * Math.sin(a);
  }
  return out;
}

export function referenceLogits(cfg: Record<string, any>, w: W, ids: number[]): number[][] {
  const d = cfg.hidden_size, H = cfg.num_attention_heads, KV = cfg.num_key_value_heads, L = cfg.num_hidden_layers;
  const hd = cfg.head_dim ?? d / H, eps = cfg.rms_norm_eps, theta = cfg.rope_theta, rep = H / KV;
  const g = (n: string) => w.get(n)!;
  const E = g('model.embed_tokens.weight');
  let x = ids.map((id) => Array.from(E.data.subarray(id * d, (id + 1) * d)));
  for (let l = 0; l < L; l++) {
    const p = `model.layers.${l}`;
    const qs: number[][][] = [], ks: number[][][] = [], vs: number[][][] = [];
    x.forEach((xt, t) => {
      const xn = rmsnorm(xt, g(`${p}.input_layernorm.weight`), eps);
      const q = matvec(g(`${p}.self_attn.q_proj.weight`), xn, w.get(`${p}.self_attn.q_proj.bias`));
      const k = matvec(g(`${p}.self_attn.k_proj.weight`), xn, w.get(`${p}.self_attn.k_proj.bias`));
      const v = matvec(g(`${p}.self_attn.v_proj.weight`), xn, w.get(`${p}.self_attn.v_proj.bias`));
      qs.push(Array.from({ length: H }, (_, h) => rope(q.slice(h * hd, (h + 1) * hd), t, hd, theta)));
      ks.push(Array.from({ length: KV }, (_, h) => rope(k.slice(h * hd, (h + 1) * hd), t, hd, theta)));
      vs.push(Array.from({ length: KV }, (_, h) => v.slice(h * hd, (h + 1) * hd)));
    });
    x = x.map((xt, t) => {
      const o: number[] = [];
      for (let h = 0; h < H; h++) {
        const kv = Math.floor(h / rep);
        const sc = [];
        for (let s = 0; s <= t; s++) sc.push(qs[t][h].reduce((a, qv, i) => a + qv * ks[s][kv][i], 0) / Math.sqrt(hd));
        const m = Math.max(...sc);
        const e = sc.map((v) => Math.exp(v - m));
        const z = e.reduce((a, b) => a + b, 0);
        for (let i = 0; i < hd; i++) o.push(e.reduce((a, pv, s) => a + (pv / z) * vs[s][kv][i], 0));
      }
      const h1 = xt.map((v, i) => v + matvec(g(`${p}.self_attn.o_proj.weight`), o)[i]);
      const xn2 = rmsnorm(h1, g(`${p}.post_attention_layernorm.weight`), eps);
      const gate = matvec(g(`${p}.mlp.gate_proj.weight`), xn2);
      const up = matvec(g(`${p}.mlp.up_proj.weight`), xn2);
      const act = gate.map((gv, i) => (gv / (1 + Math.exp(-gv))) * up[i]);
      const down = matvec(g(`${p}.mlp.down_proj.weight`), act);
      return h1.map((v, i) => v + down[i]);
    });
  }
  const head = w.get('lm_head.weight') ?? E;
  return x.map((xt) => matvec(head, rmsnorm(xt, g('model.norm.weight'), eps)));
}
