// The model behind the server tests: the real in-process runtime (loadTextModel) on the embedded tiny model
// once it is trained, else on a tiny random decoder saved with the embedded model's tokenizer.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDecoder, ensureBackend, loadTextModel, saveFolder } from '../../../plugins/lm/index.js';
import type { TextModel } from '../../../plugins/lm/types.js';

export const EMBEDDED_MODEL = join(process.cwd(), 'models', 'crucible-tiny-coder');

/** The folder to serve: the embedded model when trained, else a tiny random decoder with its tokenizer. */
function tinyFolder(): string {
  if (existsSync(join(EMBEDDED_MODEL, 'model.safetensors'))) return EMBEDDED_MODEL;
  const tokenizer = join(EMBEDDED_MODEL, 'tokenizer.json');
  const raw = JSON.parse(readFileSync(tokenizer, 'utf8')) as { model: { vocab: Record<string, number> }; added_tokens?: Array<{ id: number }> };
  const vocabSize = Math.max(...Object.values(raw.model.vocab), ...(raw.added_tokens ?? []).map((t) => t.id)) + 1;
  const dir = mkdtempSync(join(tmpdir(), 'crucible-tiny-random-'));
  const decoder = createDecoder({ vocabSize, hiddenSize: 32, numLayers: 2, numHeads: 4, numKvHeads: 2, maxPositions: 512, eosTokenIds: [0], padTokenId: 1 }, 7);
  saveFolder(dir, decoder, { tokenizerFrom: EMBEDDED_MODEL });
  decoder.dispose();
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A model folder the real runtime loads (made once per test process). */
let folder: string | undefined;
export async function testFolder(): Promise<string> {
  await ensureBackend('wasm');
  folder ??= tinyFolder();
  return folder;
}

export async function testModel(): Promise<{ model: TextModel }> {
  return { model: await loadTextModel(await testFolder(), { backend: 'wasm' }) };
}

/** The same model with another chat template (methods delegate, so the real model's internals stay intact). */
export function withChatTemplate(model: TextModel, chatTemplate: string | undefined): TextModel {
  return {
    id: model.id,
    path: model.path,
    backend: model.backend,
    chatTemplate,
    generate: (prompts, params, options) => model.generate(prompts, params, options),
    logprobs: (prompt, completion) => model.logprobs(prompt, completion),
    countTokens: (text) => model.countTokens(text),
    dispose: () => model.dispose(),
  };
}
