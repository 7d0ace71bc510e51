// The in-process model runtime's entry points.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureBackend, type BackendChoice } from './backend.js';
import { loadFolder } from './folder.js';
import { loadAdapter } from './lora.js';
import { LocalTextModel } from './text-model.js';
import { loadTokenizer } from './tokenizer.js';
import { CrucibleError } from 'crucible-ml';

export { ensureBackend, activeBackend, type BackendChoice } from './backend.js';
export { readSafetensors, writeSafetensors, encodeSafetensors, type NamedTensor } from './safetensors.js';
export { parseConfig, newConfig, toHfConfig, type DecoderConfig, type NewDecoderConfig } from './config.js';
export { loadTokenizer, type TextTokenizer } from './tokenizer.js';
export { Decoder, type ForwardOptions, type LayerCache, type LoraLayer } from './model.js';
export { initParams, paramSpecs, LINEAR_MODULES } from './weights.js';
export { loadFolder, saveFolder, createDecoder, readConfig, TOKENIZER_FILES, type SaveOptions } from './folder.js';
export { LocalTextModel } from './text-model.js';
export { attachLora, detachLora, saveAdapter, loadAdapter, mergeLora, DEFAULT_LORA, type LoraConfig } from './lora.js';
export type { TextModel, SamplingParams, Completion, TokenLogprobs } from './types.js';

export interface LoadOptions {
  backend?: BackendChoice;
  /** A PEFT LoRA adapter folder to attach to the loaded model. */
  adapter?: string;
}

/** Loads a Hugging Face model folder (config.json, model.safetensors, tokenizer.json) as a TextModel. */
export async function loadTextModel(path: string, options: LoadOptions = {}): Promise<LocalTextModel> {
  const dir = resolve(path);
  if (!existsSync(dir)) {
    throw CrucibleError.at('CRUCIBLE_E_MODEL', { file: dir, message: 'model folder does not exist', hint: 'train one with the sft trainer or download a Llama/Qwen2 checkpoint' });
  }
  const backend = await ensureBackend(options.backend ?? 'auto');
  // An adapter folder alone: load its base model (base_model_name_or_path, relative to the adapter) + the adapter.
  if (!existsSync(join(dir, 'config.json')) && existsSync(join(dir, 'adapter_config.json')) && !options.adapter) {
    const base = JSON.parse(readFileSync(join(dir, 'adapter_config.json'), 'utf8')).base_model_name_or_path;
    if (typeof base !== 'string' || !existsSync(resolve(dir, base))) {
      throw CrucibleError.at('CRUCIBLE_E_MODEL', { file: join(dir, 'adapter_config.json'), path: 'base_model_name_or_path', message: `base model "${base}" is not a local folder`, hint: 'pass the base folder and { adapter } instead' });
    }
    return loadTextModel(resolve(dir, base), { ...options, adapter: dir });
  }
  const tokenizer = loadTokenizer(dir);
  const { decoder, rawConfig, generationConfig } = loadFolder(dir);
  if (options.adapter) loadAdapter(resolve(options.adapter), decoder);
  const genEos = generationConfig?.eos_token_id;
  if (typeof genEos === 'number' && !decoder.config.eosTokenIds.includes(genEos)) decoder.config.eosTokenIds.push(genEos);
  if (Array.isArray(genEos)) for (const e of genEos) if (typeof e === 'number' && !decoder.config.eosTokenIds.includes(e)) decoder.config.eosTokenIds.push(e);
  return new LocalTextModel(decoder, tokenizer, backend, dir, rawConfig, generationConfig);
}
