// LoRA adapters on chosen linear projections (rank r, alpha, dropout), trainable while the base
// stays frozen; saved and loaded in PEFT layout (adapter_config.json + adapter_model.safetensors with
// PEFT tensor names) and mergeable into the base weights for a plain model folder.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { CrucibleError } from 'crucible-ml';
import { deriveSeed } from 'crucible-ml/util';
import { writeJsonAtomic } from 'crucible-ml/util';
import type { Decoder, LoraLayer } from './model.js';
import { readSafetensors, writeSafetensors, type NamedTensor } from './safetensors.js';
import { LINEAR_MODULES, paramSpecs } from './weights.js';

export interface LoraConfig {
  r: number;
  alpha: number;
  dropout: number;
  /** Projection names (q_proj, v_proj, ...) as in PEFT's target_modules. */
  targetModules: string[];
}

export const DEFAULT_LORA: LoraConfig = { r: 8, alpha: 16, dropout: 0.05, targetModules: ['q_proj', 'k_proj', 'v_proj', 'o_proj'] };

const PREFIX = 'base_model.model.';

/** Module names (e.g. model.layers.0.self_attn.q_proj) with [in, out] sizes that LoRA targets. */
function targets(decoder: Decoder, modules: string[]): Array<{ name: string; inDim: number; outDim: number }> {
  for (const m of modules) {
    if (!(LINEAR_MODULES as readonly string[]).includes(m)) {
      throw CrucibleError.at('CRUCIBLE_E_INPUT', { path: 'lora.targetModules', message: `unknown target module "${m}"`, hint: `one of ${LINEAR_MODULES.join(', ')}` });
    }
  }
  return paramSpecs(decoder.config)
    .filter((s) => s.kind === 'linear' && s.name.startsWith('model.layers.') && modules.includes(s.name.split('.').at(-2) ?? ''))
    .map((s) => ({ name: s.name.replace(/\.weight$/, ''), inDim: s.shape[1], outDim: s.shape[0] }));
}

/** Attaches fresh adapters: A ~ U(-1/sqrt(in), 1/sqrt(in)), B = 0, so the model starts unchanged. */
export function attachLora(decoder: Decoder, cfg: LoraConfig, seed: number): void {
  detachLora(decoder);
  const scale = cfg.alpha / cfg.r;
  decoder.lora = new Map<string, LoraLayer>();
  for (const t of targets(decoder, cfg.targetModules)) {
    const bound = 1 / Math.sqrt(t.inDim);
    const a = tf.tidy(() => tf.randomUniform([t.inDim, cfg.r], -bound, bound, 'float32', deriveSeed(seed, t.name)));
    const b = tf.zeros([cfg.r, t.outDim]);
    decoder.lora.set(t.name, { a: tf.variable(a, true), b: tf.variable(b, true), scale, dropout: cfg.dropout });
    a.dispose();
    b.dispose();
  }
}

export function detachLora(decoder: Decoder): void {
  for (const l of decoder.lora?.values() ?? []) {
    l.a.dispose();
    l.b.dispose();
  }
  decoder.lora = undefined;
}

/** Writes adapter_config.json + adapter_model.safetensors (PEFT names, lora_A [r, in], lora_B [out, r]). */
export function saveAdapter(dir: string, decoder: Decoder, cfg: LoraConfig, baseModel: string): void {
  if (!decoder.lora?.size) throw new CrucibleError('CRUCIBLE_E_MODEL', 'no LoRA adapter is attached');
  const tensors = new Map<string, NamedTensor>();
  for (const [name, l] of decoder.lora) {
    const at = tf.transpose(l.a);
    const bt = tf.transpose(l.b);
    tensors.set(`${PREFIX}${name}.lora_A.weight`, { shape: at.shape, data: new Float32Array(at.dataSync()) });
    tensors.set(`${PREFIX}${name}.lora_B.weight`, { shape: bt.shape, data: new Float32Array(bt.dataSync()) });
    at.dispose();
    bt.dispose();
  }
  writeSafetensors(join(dir, 'adapter_model.safetensors'), tensors);
  writeJsonAtomic(join(dir, 'adapter_config.json'), {
    peft_type: 'LORA',
    task_type: 'CAUSAL_LM',
    base_model_name_or_path: baseModel,
    r: cfg.r,
    lora_alpha: cfg.alpha,
    lora_dropout: cfg.dropout,
    target_modules: cfg.targetModules,
    bias: 'none',
    fan_in_fan_out: false,
    inference_mode: true,
    modules_to_save: null,
    use_rslora: false,
    use_dora: false,
  });
}

/** Reads a PEFT LoRA adapter folder and attaches it to `decoder`. */
export function loadAdapter(dir: string, decoder: Decoder): LoraConfig {
  const cfgFile = join(dir, 'adapter_config.json');
  if (!existsSync(cfgFile)) throw CrucibleError.at('CRUCIBLE_E_MODEL', { file: cfgFile, message: 'not a PEFT adapter folder (adapter_config.json missing)' });
  const raw = JSON.parse(readFileSync(cfgFile, 'utf8')) as Record<string, unknown>;
  if (raw.peft_type !== 'LORA') throw CrucibleError.at('CRUCIBLE_E_MODEL', { file: cfgFile, path: 'peft_type', message: `peft_type ${String(raw.peft_type)} is not LORA` });
  const modules = typeof raw.target_modules === 'string' ? [raw.target_modules] : ((raw.target_modules as string[]) ?? []);
  const cfg: LoraConfig = { r: Number(raw.r), alpha: Number(raw.lora_alpha), dropout: Number(raw.lora_dropout ?? 0), targetModules: modules };
  const scale = raw.use_rslora ? cfg.alpha / Math.sqrt(cfg.r) : cfg.alpha / cfg.r;
  const file = join(dir, 'adapter_model.safetensors');
  const { tensors } = readSafetensors(file);
  detachLora(decoder);
  decoder.lora = new Map();
  for (const t of targets(decoder, modules)) {
    // PEFT sometimes keeps the adapter name (".default") in saved keys; accept both spellings.
    const find = (part: string) => tensors.get(`${PREFIX}${t.name}.${part}.weight`) ?? tensors.get(`${PREFIX}${t.name}.${part}.default.weight`);
    const A = find('lora_A');
    const B = find('lora_B');
    if (!A || !B) continue; // PEFT may target a module name only in some layers
    if (A.shape.join(',') !== `${cfg.r},${t.inDim}` || B.shape.join(',') !== `${t.outDim},${cfg.r}`) {
      throw CrucibleError.at('CRUCIBLE_E_MODEL', { file, path: t.name, message: `adapter shapes [${A.shape}] / [${B.shape}] do not fit r=${cfg.r}, ${t.inDim} -> ${t.outDim}` });
    }
    const a = tf.tidy(() => tf.transpose(tf.tensor2d(A.data, A.shape as [number, number])));
    const b = tf.tidy(() => tf.transpose(tf.tensor2d(B.data, B.shape as [number, number])));
    decoder.lora.set(t.name, { a: tf.variable(a, true), b: tf.variable(b, true), scale, dropout: cfg.dropout });
    a.dispose();
    b.dispose();
  }
  if (decoder.lora.size === 0) throw CrucibleError.at('CRUCIBLE_E_MODEL', { file, message: 'the adapter holds no tensor for this model', hint: 'was it trained on another base model?' });
  return cfg;
}

/** Folds the adapters into the base weights (W += scale * A B) and detaches them. */
export function mergeLora(decoder: Decoder): void {
  for (const [name, l] of decoder.lora ?? []) {
    const w = decoder.params.get(`${name}.weight`);
    if (!w) continue;
    tf.tidy(() => w.assign(tf.add(w, tf.mul(tf.matMul(l.a, l.b), l.scale))));
  }
  detachLora(decoder);
}
