// A Hugging Face model folder: config.json, model.safetensors (or sharded with an index),
// tokenizer files, generation_config.json. Loading and saving keep transformers' names and layout.
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CrucibleError } from 'crucible-ml';
import { writeJsonAtomic } from 'crucible-ml/util';
import { newConfig, parseConfig, toHfConfig, type DecoderConfig, type NewDecoderConfig } from './config.js';
import { Decoder } from './model.js';
import { readSafetensors, writeSafetensors, type NamedTensor } from './safetensors.js';
import { initParams, paramsFromTensors, tensorsFromParams } from './weights.js';

export const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'chat_template.jinja'];

export interface LoadedFolder {
  decoder: Decoder;
  rawConfig: Record<string, unknown>;
  generationConfig?: Record<string, unknown>;
}

function readJson(file: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw CrucibleError.at('CRUCIBLE_E_MODEL', { file, message: `cannot read JSON: ${(err as Error).message}` });
  }
}

export function readConfig(dir: string): { config: DecoderConfig; raw: Record<string, unknown> } {
  const file = join(dir, 'config.json');
  if (!existsSync(file)) {
    throw CrucibleError.at('CRUCIBLE_E_MODEL', { file, message: 'not a model folder: config.json is missing', hint: 'point `model` at a Hugging Face model folder (config.json, model.safetensors, tokenizer.json)' });
  }
  const raw = readJson(file);
  return { config: parseConfig(raw, file), raw };
}

/** All tensors of a folder: model.safetensors, or the shards an index names. */
export function readFolderTensors(dir: string): { tensors: Map<string, NamedTensor>; file: string } {
  const single = join(dir, 'model.safetensors');
  if (existsSync(single)) return { tensors: readSafetensors(single).tensors, file: single };
  const index = join(dir, 'model.safetensors.index.json');
  if (existsSync(index)) {
    const map = (readJson(index).weight_map ?? {}) as Record<string, string>;
    const tensors = new Map<string, NamedTensor>();
    for (const shard of new Set(Object.values(map))) {
      for (const [k, v] of readSafetensors(join(dir, shard)).tensors) tensors.set(k, v);
    }
    return { tensors, file: index };
  }
  throw CrucibleError.at('CRUCIBLE_E_MODEL', { file: single, message: 'no model.safetensors in the folder', hint: 'PyTorch .bin checkpoints are not read: convert with safetensors first' });
}

export function loadFolder(dir: string): LoadedFolder {
  const { config, raw } = readConfig(dir);
  const { tensors, file } = readFolderTensors(dir);
  // A checkpoint without lm_head but with tie_word_embeddings unset is tied in practice.
  if (!config.tieWordEmbeddings && !tensors.has('lm_head.weight')) config.tieWordEmbeddings = true;
  const params = paramsFromTensors(config, tensors, file);
  const genFile = join(dir, 'generation_config.json');
  return { decoder: new Decoder(config, params), rawConfig: raw, generationConfig: existsSync(genFile) ? readJson(genFile) : undefined };
}

export interface SaveOptions {
  /** Folder whose tokenizer files are copied (when not the destination). */
  tokenizerFrom?: string;
  /** The source config.json, so fields this runtime does not model survive. */
  rawConfig?: Record<string, unknown>;
  generationConfig?: Record<string, unknown>;
  /** Free-form provenance stored in the safetensors metadata. */
  metadata?: Record<string, string>;
}

export function saveFolder(dir: string, decoder: Decoder, o: SaveOptions = {}): void {
  mkdirSync(dir, { recursive: true });
  const cfg = decoder.config;
  writeJsonAtomic(join(dir, 'config.json'), toHfConfig(cfg, o.rawConfig));
  writeSafetensors(join(dir, 'model.safetensors'), tensorsFromParams(cfg, decoder.params), { format: 'pt', ...(o.metadata ?? {}) });
  const gen = o.generationConfig ?? {
    bos_token_id: cfg.bosTokenId,
    eos_token_id: cfg.eosTokenIds.length === 1 ? cfg.eosTokenIds[0] : cfg.eosTokenIds,
    pad_token_id: cfg.padTokenId,
    do_sample: true,
    temperature: 0.8,
    top_p: 0.95,
  };
  writeJsonAtomic(join(dir, 'generation_config.json'), gen);
  if (o.tokenizerFrom && resolve(o.tokenizerFrom) !== resolve(dir)) {
    for (const f of TOKENIZER_FILES) {
      const src = join(o.tokenizerFrom, f);
      if (existsSync(src)) copyFileSync(src, join(dir, f));
    }
  }
}

/** A freshly initialized decoder (seeded) for a new model config. */
export function createDecoder(c: NewDecoderConfig, seed: number): Decoder {
  const config = newConfig(c);
  return new Decoder(config, initParams(config, seed));
}
