// Parameter names (as transformers spells them), fresh initialization, and conversion between
// safetensors tensors and tf variables. Linear weights are stored transposed ([in, out]) inside
// tfjs so the forward pass is a plain matmul; they are transposed back to [out, in] on export.
import * as tf from '@tensorflow/tfjs-core';
import { CrucibleError } from 'crucible-ml';
import { deriveSeed } from 'crucible-ml/util';
import type { DecoderConfig } from './config.js';
import type { NamedTensor } from './safetensors.js';

export const LINEAR_MODULES = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;

export interface ParamSpec {
  name: string;
  /** Shape as stored in the HF file. */
  shape: number[];
  kind: 'linear' | 'embedding' | 'norm' | 'bias';
}

export function moduleOf(name: string): string {
  return name.replace(/\.(weight|bias)$/, '');
}

export function paramSpecs(c: DecoderConfig): ParamSpec[] {
  const d = c.hiddenSize;
  const qDim = c.numHeads * c.headDim;
  const kvDim = c.numKvHeads * c.headDim;
  const specs: ParamSpec[] = [{ name: 'model.embed_tokens.weight', shape: [c.vocabSize, d], kind: 'embedding' }];
  for (let l = 0; l < c.numLayers; l++) {
    const p = `model.layers.${l}`;
    specs.push(
      { name: `${p}.input_layernorm.weight`, shape: [d], kind: 'norm' },
      { name: `${p}.self_attn.q_proj.weight`, shape: [qDim, d], kind: 'linear' },
      { name: `${p}.self_attn.k_proj.weight`, shape: [kvDim, d], kind: 'linear' },
      { name: `${p}.self_attn.v_proj.weight`, shape: [kvDim, d], kind: 'linear' },
    );
    if (c.attentionBias) {
      specs.push(
        { name: `${p}.self_attn.q_proj.bias`, shape: [qDim], kind: 'bias' },
        { name: `${p}.self_attn.k_proj.bias`, shape: [kvDim], kind: 'bias' },
        { name: `${p}.self_attn.v_proj.bias`, shape: [kvDim], kind: 'bias' },
      );
    }
    specs.push(
      { name: `${p}.self_attn.o_proj.weight`, shape: [d, qDim], kind: 'linear' },
      { name: `${p}.post_attention_layernorm.weight`, shape: [d], kind: 'norm' },
      { name: `${p}.mlp.gate_proj.weight`, shape: [c.intermediateSize, d], kind: 'linear' },
      { name: `${p}.mlp.up_proj.weight`, shape: [c.intermediateSize, d], kind: 'linear' },
      { name: `${p}.mlp.down_proj.weight`, shape: [d, c.intermediateSize], kind: 'linear' },
    );
  }
  specs.push({ name: 'model.norm.weight', shape: [d], kind: 'norm' });
  if (!c.tieWordEmbeddings) specs.push({ name: 'lm_head.weight', shape: [c.vocabSize, d], kind: 'linear' });
  return specs;
}

/** Internal (tfjs) shape of a parameter: linear weights are [in, out]. */
export function internalShape(spec: ParamSpec): number[] {
  return spec.kind === 'linear' ? [spec.shape[1], spec.shape[0]] : spec.shape;
}

/** Fresh weights: N(0, 0.02), residual projections scaled by 1/sqrt(2 layers), norms 1, biases 0. */
export function initParams(c: DecoderConfig, seed: number): Map<string, tf.Variable> {
  const out = new Map<string, tf.Variable>();
  const residual = 0.02 / Math.sqrt(2 * c.numLayers);
  for (const spec of paramSpecs(c)) {
    const shape = internalShape(spec);
    const value = tf.tidy(() => {
      if (spec.kind === 'norm') return tf.ones(shape);
      if (spec.kind === 'bias') return tf.zeros(shape);
      const std = /o_proj|down_proj/.test(spec.name) ? residual : 0.02;
      return tf.randomNormal(shape, 0, std, 'float32', deriveSeed(seed, spec.name));
    });
    out.set(spec.name, tf.variable(value, true));
    value.dispose();
  }
  return out;
}

/** Variables from a file's tensors; checks every expected name and shape. */
export function paramsFromTensors(c: DecoderConfig, tensors: Map<string, NamedTensor>, file: string): Map<string, tf.Variable> {
  const out = new Map<string, tf.Variable>();
  try {
    for (const spec of paramSpecs(c)) {
      const t = tensors.get(spec.name);
      if (!t) {
        throw CrucibleError.at('CRUCIBLE_E_MODEL', { file, path: spec.name, message: `missing tensor "${spec.name}"`, hint: spec.name === 'lm_head.weight' ? 'set tie_word_embeddings: true in config.json if the head is tied' : 'is this a Llama/Qwen2 checkpoint?' });
      }
      if (t.shape.join(',') !== spec.shape.join(',')) {
        throw CrucibleError.at('CRUCIBLE_E_MODEL', { file, path: spec.name, message: `tensor "${spec.name}" has shape [${t.shape}], config.json implies [${spec.shape}]` });
      }
      const value = tf.tidy(() => {
        const raw = tf.tensor(t.data, t.shape, 'float32');
        return spec.kind === 'linear' ? tf.transpose(raw) : raw;
      });
      out.set(spec.name, tf.variable(value, true));
      value.dispose();
    }
  } catch (err) {
    for (const v of out.values()) v.dispose();
    throw err;
  }
  return out;
}

/** HF-layout tensors of the current weights, ready for safetensors. */
export function tensorsFromParams(c: DecoderConfig, params: Map<string, tf.Variable>): Map<string, NamedTensor> {
  const out = new Map<string, NamedTensor>();
  for (const spec of paramSpecs(c)) {
    const v = params.get(spec.name);
    if (!v) throw new CrucibleError('CRUCIBLE_E_MODEL', `parameter ${spec.name} is missing`);
    const t = spec.kind === 'linear' ? tf.transpose(v) : v;
    out.set(spec.name, { shape: spec.shape, data: new Float32Array(t.dataSync()) });
    if (t !== v) t.dispose();
  }
  return out;
}
