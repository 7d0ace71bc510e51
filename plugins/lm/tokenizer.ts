// tokenizer.json through @huggingface/tokenizers (offline), plus the special ids and chat template
// that tokenizer_config.json / generation_config.json / config.json provide.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { CrucibleError } from 'crucible-ml';

export interface TextTokenizer {
  /** Ids of `text`; `special` adds the tokenizer's own prefix/suffix tokens (BOS), as for a prompt. */
  encode(text: string, special?: boolean): number[];
  decode(ids: number[]): string;
  /** Text of single tokens, for per-token logprob reports. */
  tokenText(id: number): string;
  readonly eosIds: number[];
  readonly padId?: number;
  readonly vocabSize: number;
  readonly chatTemplate?: string;
}

function readJson(file: string): Record<string, unknown> | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw CrucibleError.at('CRUCIBLE_E_MODEL', { file, message: `not valid JSON: ${(err as Error).message}` });
  }
}

function tokenContent(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
  return undefined;
}

export function loadTokenizer(dir: string, extraEos: number[] = []): TextTokenizer {
  const file = join(dir, 'tokenizer.json');
  const json = readJson(file);
  if (!json) {
    throw CrucibleError.at('CRUCIBLE_E_MODEL', { file, message: 'the model folder has no tokenizer.json', hint: 'copy the tokenizer.json of the base model into the folder' });
  }
  const config = readJson(join(dir, 'tokenizer_config.json')) ?? {};
  let tok: Tokenizer;
  try {
    tok = new Tokenizer(json, config);
  } catch (err) {
    throw CrucibleError.at('CRUCIBLE_E_MODEL', { file, message: `@huggingface/tokenizers cannot load it: ${(err as Error).message}` }, { cause: err });
  }
  const idOf = (t: string | undefined) => (t === undefined ? undefined : tok.token_to_id(t));
  const eos = new Set<number>(extraEos);
  const eosId = idOf(tokenContent(config.eos_token));
  if (eosId !== undefined) eos.add(eosId);
  const padId = idOf(tokenContent(config.pad_token));
  const model = json.model as { vocab?: Record<string, number> | unknown[] } | undefined;
  const vocab = model?.vocab;
  let maxId = -1;
  if (Array.isArray(vocab)) maxId = vocab.length - 1;
  else if (vocab) for (const v of Object.values(vocab)) maxId = Math.max(maxId, v);
  for (const a of (json.added_tokens as Array<{ id: number }> | undefined) ?? []) maxId = Math.max(maxId, a.id);
  const texts = new Map<number, string>();
  return {
    encode: (text, special = false) => (text ? tok.encode(text, { add_special_tokens: special }).ids : special ? tok.encode('', { add_special_tokens: true }).ids : []),
    decode: (ids) => (ids.length ? tok.decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false }) : ''),
    tokenText: (id) => {
      const cached = texts.get(id);
      if (cached !== undefined) return cached;
      const t = tok.decode([id], { skip_special_tokens: false, clean_up_tokenization_spaces: false });
      texts.set(id, t);
      return t;
    },
    eosIds: [...eos],
    padId,
    vocabSize: maxId + 1,
    chatTemplate: typeof config.chat_template === 'string' ? config.chat_template : undefined,
  };
}
