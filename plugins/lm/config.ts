// The decoder's configuration, read from and written to a Hugging Face config.json (LlamaConfig and
// Qwen2Config field names). Unknown fields of the original file are kept when saving.
import { CrucibleError } from 'crucible-ml';

export interface DecoderConfig {
  modelType: 'llama' | 'qwen2' | string;
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  rmsNormEps: number;
  ropeTheta: number;
  maxPositions: number;
  tieWordEmbeddings: boolean;
  /** q/k/v projections carry a bias (Qwen2, or Llama with attention_bias). */
  attentionBias: boolean;
  bosTokenId?: number;
  eosTokenIds: number[];
  padTokenId?: number;
}

/** The fields a fresh model needs; the rest get Llama defaults. */
export interface NewDecoderConfig {
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads?: number;
  intermediateSize?: number;
  ropeTheta?: number;
  maxPositions?: number;
  tieWordEmbeddings?: boolean;
  rmsNormEps?: number;
  eosTokenIds?: number[];
  bosTokenId?: number;
  padTokenId?: number;
  /** 'qwen2' gives q/k/v biases; 'llama' (default) has none unless attentionBias. */
  modelType?: 'llama' | 'qwen2';
  attentionBias?: boolean;
}

function num(raw: Record<string, unknown>, key: string, file: string, fallback?: number): number {
  const v = raw[key];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (v === undefined || v === null) {
    if (fallback !== undefined) return fallback;
    throw CrucibleError.at('CRUCIBLE_E_MODEL', { file, path: key, message: `config.json lacks "${key}"`, hint: 'a Llama/Qwen2 config.json is expected' });
  }
  throw CrucibleError.at('CRUCIBLE_E_MODEL', { file, path: key, message: `"${key}" must be a number` });
}

function ids(v: unknown): number[] {
  if (typeof v === 'number') return [v];
  if (Array.isArray(v)) return v.filter((x): x is number => typeof x === 'number');
  return [];
}

const SUPPORTED = ['llama', 'qwen2', 'mistral', 'smollm', 'smollm2'];

export function parseConfig(raw: Record<string, unknown>, file = 'config.json'): DecoderConfig {
  const modelType = typeof raw.model_type === 'string' ? raw.model_type : 'llama';
  if (!SUPPORTED.includes(modelType)) {
    throw CrucibleError.at('CRUCIBLE_E_MODEL', { file, path: 'model_type', message: `model_type "${modelType}" is not a Llama-family decoder`, hint: `supported: ${SUPPORTED.join(', ')}` });
  }
  const scaling = raw.rope_scaling as Record<string, unknown> | null | undefined;
  if (scaling && typeof scaling === 'object' && scaling.rope_type !== 'default' && scaling.type !== 'default') {
    throw CrucibleError.at('CRUCIBLE_E_MODEL', { file, path: 'rope_scaling', message: `rope_scaling ${JSON.stringify(scaling)} is not supported`, hint: 'only plain RoPE (rope_theta) is implemented' });
  }
  const hiddenSize = num(raw, 'hidden_size', file);
  const numHeads = num(raw, 'num_attention_heads', file);
  const cfg: DecoderConfig = {
    modelType,
    vocabSize: num(raw, 'vocab_size', file),
    hiddenSize,
    intermediateSize: num(raw, 'intermediate_size', file),
    numLayers: num(raw, 'num_hidden_layers', file),
    numHeads,
    numKvHeads: num(raw, 'num_key_value_heads', file, numHeads),
    headDim: num(raw, 'head_dim', file, hiddenSize / numHeads),
    rmsNormEps: num(raw, 'rms_norm_eps', file, 1e-6),
    ropeTheta: num(raw, 'rope_theta', file, 10000),
    maxPositions: num(raw, 'max_position_embeddings', file, 2048),
    // Llama and Qwen2 both default to an untied head when the field is absent.
    tieWordEmbeddings: raw.tie_word_embeddings === true,
    attentionBias: modelType === 'qwen2' || raw.attention_bias === true,
    bosTokenId: typeof raw.bos_token_id === 'number' ? raw.bos_token_id : undefined,
    eosTokenIds: ids(raw.eos_token_id),
    padTokenId: typeof raw.pad_token_id === 'number' ? raw.pad_token_id : undefined,
  };
  if (cfg.numHeads % cfg.numKvHeads !== 0) {
    throw CrucibleError.at('CRUCIBLE_E_MODEL', { file, path: 'num_key_value_heads', message: `num_attention_heads ${cfg.numHeads} is not a multiple of num_key_value_heads ${cfg.numKvHeads}` });
  }
  if (!Number.isInteger(cfg.headDim) || cfg.headDim % 2 !== 0) {
    throw CrucibleError.at('CRUCIBLE_E_MODEL', { file, path: 'head_dim', message: `head dimension ${cfg.headDim} must be an even integer` });
  }
  return cfg;
}

export function newConfig(c: NewDecoderConfig): DecoderConfig {
  const raw: Record<string, unknown> = {
    model_type: c.modelType ?? 'llama',
    attention_bias: c.attentionBias ?? false,
    vocab_size: c.vocabSize,
    hidden_size: c.hiddenSize,
    intermediate_size: c.intermediateSize ?? Math.round((c.hiddenSize * 8) / 3 / 32) * 32,
    num_hidden_layers: c.numLayers,
    num_attention_heads: c.numHeads,
    num_key_value_heads: c.numKvHeads ?? c.numHeads,
    rms_norm_eps: c.rmsNormEps ?? 1e-5,
    rope_theta: c.ropeTheta ?? 10000,
    max_position_embeddings: c.maxPositions ?? 1024,
    tie_word_embeddings: c.tieWordEmbeddings ?? true,
    eos_token_id: c.eosTokenIds?.length === 1 ? c.eosTokenIds[0] : c.eosTokenIds,
    bos_token_id: c.bosTokenId,
    pad_token_id: c.padTokenId,
  };
  return parseConfig(raw, '<new model config>');
}

/** config.json for a model folder; `base` (the loaded file) keeps fields this runtime does not model. */
export function toHfConfig(cfg: DecoderConfig, base: Record<string, unknown> = {}): Record<string, unknown> {
  const arch = cfg.modelType === 'qwen2' ? 'Qwen2ForCausalLM' : 'LlamaForCausalLM';
  const out: Record<string, unknown> = {
    architectures: [arch],
    ...base,
    model_type: cfg.modelType,
    vocab_size: cfg.vocabSize,
    hidden_size: cfg.hiddenSize,
    intermediate_size: cfg.intermediateSize,
    num_hidden_layers: cfg.numLayers,
    num_attention_heads: cfg.numHeads,
    num_key_value_heads: cfg.numKvHeads,
    head_dim: cfg.headDim,
    hidden_act: 'silu',
    rms_norm_eps: cfg.rmsNormEps,
    rope_theta: cfg.ropeTheta,
    max_position_embeddings: cfg.maxPositions,
    tie_word_embeddings: cfg.tieWordEmbeddings,
    torch_dtype: 'float32',
  };
  if (cfg.modelType !== 'qwen2') {
    out.attention_bias = cfg.attentionBias;
    out.mlp_bias = false;
  }
  if (cfg.bosTokenId !== undefined) out.bos_token_id = cfg.bosTokenId;
  if (cfg.eosTokenIds.length) out.eos_token_id = cfg.eosTokenIds.length === 1 ? cfg.eosTokenIds[0] : cfg.eosTokenIds;
  if (cfg.padTokenId !== undefined) out.pad_token_id = cfg.padTokenId;
  return out;
}
