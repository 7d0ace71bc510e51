// The model behind the server tests. The real in-process runtime (loadTextModel on the embedded tiny model, or
// on a tiny random folder) is used as soon as it exists; until plugins/lm exports loadTextModel, a small
// deterministic character-level model stands in (consistent generate/logprobs, seeded sampling).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Completion, SamplingParams, TextModel, TokenLogprobs } from '../../../plugins/lm/types.js';

const VOCAB = [...'abcdefghijklmnopqrstuvwxyz0123456789 ()_:=+-*,.\n'];

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Log-probs over VOCAB given the last few characters. */
function dist(context: string): number[] {
  const r = mulberry32(hash(context.slice(-3)));
  const logits = VOCAB.map(() => r() * 4);
  const max = Math.max(...logits);
  const z = Math.log(logits.reduce((a, l) => a + Math.exp(l - max), 0)) + max;
  return logits.map((l) => l - z);
}

class CharModel implements TextModel {
  readonly id = 'char-stand-in';
  readonly path = '/nonexistent/char-stand-in';
  readonly backend = 'cpu';
  readonly chatTemplate?: string;

  async generate(prompts: string[], p: SamplingParams, options: { logprobs?: boolean } = {}): Promise<Completion[][]> {
    return prompts.map((prompt) => {
      const rand = mulberry32(p.seed);
      return Array.from({ length: p.n }, () => {
        let text = '';
        const lps: number[] = [];
        let finish: 'stop' | 'length' = 'length';
        for (let t = 0; t < p.maxTokens; t++) {
          const d = dist(prompt + text);
          const probs = d.map((l) => Math.exp(l / Math.max(p.temperature, 1e-6)));
          const total = probs.reduce((a, b) => a + b, 0);
          let u = rand() * total;
          let k = p.temperature === 0 ? d.indexOf(Math.max(...d)) : 0;
          if (p.temperature > 0) while (k < VOCAB.length - 1 && (u -= probs[k]) > 0) k++;
          text += VOCAB[k];
          lps.push(d[k]);
          const hit = p.stop.find((s) => text.endsWith(s));
          if (hit) {
            text = text.slice(0, -hit.length);
            lps.length = text.length;
            finish = 'stop';
            break;
          }
        }
        return { text, tokens: text.length, finishReason: finish, ...(options.logprobs ? { logprobs: lps, tokenTexts: [...text] } : {}) };
      });
    });
  }

  async logprobs(prompt: string, completion: string): Promise<TokenLogprobs> {
    const tokens = [...completion].map((c, i) => {
      const k = VOCAB.indexOf(c);
      return k < 0 ? -20 : dist(prompt + completion.slice(0, i))[k];
    });
    return { sum: tokens.reduce((a, b) => a + b, 0), tokens, tokenTexts: [...completion] };
  }

  countTokens(text: string): number {
    return text.length;
  }

  dispose(): void {}
}

type Loader = (path: string, options?: { backend?: string }) => Promise<TextModel>;

export const EMBEDDED_MODEL = join(process.cwd(), 'models', 'crucible-tiny-coder');

interface LmModule {
  loadTextModel?: Loader;
  ensureBackend?: (choice: string) => Promise<string>;
  createDecoder?: (c: Record<string, unknown>, seed: number) => { dispose(): void };
  saveFolder?: (dir: string, decoder: unknown, o?: { tokenizerFrom?: string }) => void;
}

async function lmModule(): Promise<LmModule | undefined> {
  try {
    const specifier = '../../../plugins/lm/index.js';
    return (await import(specifier)) as LmModule;
  } catch {
    return undefined;
  }
}

/** The folder to serve: the embedded model when trained, else a tiny random decoder with its tokenizer. */
function tinyFolder(lm: LmModule): string | undefined {
  if (existsSync(join(EMBEDDED_MODEL, 'model.safetensors'))) return EMBEDDED_MODEL;
  const tokenizer = join(EMBEDDED_MODEL, 'tokenizer.json');
  if (!existsSync(tokenizer) || !lm.createDecoder || !lm.saveFolder) return undefined;
  const raw = JSON.parse(readFileSync(tokenizer, 'utf8')) as { model: { vocab: Record<string, number> }; added_tokens?: Array<{ id: number }> };
  const vocabSize = Math.max(...Object.values(raw.model.vocab), ...(raw.added_tokens ?? []).map((t) => t.id)) + 1;
  const dir = mkdtempSync(join(tmpdir(), 'crucible-tiny-random-'));
  const decoder = lm.createDecoder({ vocabSize, hiddenSize: 32, numLayers: 2, numHeads: 4, numKvHeads: 2, maxPositions: 512, eosTokenIds: [0], padTokenId: 1 }, 7);
  lm.saveFolder(dir, decoder, { tokenizerFrom: EMBEDDED_MODEL });
  decoder.dispose();
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A model folder the real runtime loads, when plugins/lm is there. */
export async function testFolder(): Promise<string | undefined> {
  const lm = await lmModule();
  if (!lm?.loadTextModel || !lm.ensureBackend) return undefined;
  await lm.ensureBackend('wasm');
  return tinyFolder(lm);
}

/** A model for the tests; `real` says whether it is the actual runtime (loadTextModel on a real folder). */
export async function testModel(): Promise<{ model: TextModel; real: boolean }> {
  const lm = await lmModule();
  const folder = await testFolder();
  if (folder && lm?.loadTextModel) return { model: await lm.loadTextModel(folder, { backend: 'wasm' }), real: true };
  return { model: new CharModel(), real: false };
}

/** The same model with another chat template (methods delegate, so the real model's internals stay intact). */
export function withChatTemplate(model: TextModel, chatTemplate: string): TextModel {
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
