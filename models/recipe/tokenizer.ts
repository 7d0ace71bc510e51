// Trains the embedded model's BPE tokenizer on the SFT corpus, writes tokenizer.json and
// tokenizer_config.json, then checks with @huggingface/tokenizers (the library the runtime uses) that
// decode(encode(x)) === x for every corpus text and that the eos token encodes as one id.
//   npx tsx models/recipe/tokenizer.ts [--corpus models/recipe/out/sft-corpus.jsonl] [--vocab 1024] [--out models/crucible-tiny-coder]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tokenizer } from '@huggingface/tokenizers';
import { trainBpe, tokenizerConfig, tokenizerJson } from './bpe.js';
import { EOS, PAD, type CorpusRecord } from './corpus.js';

export const MAX_LENGTH = 512;

export function readCorpus(path: string): CorpusRecord[] {
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

export function buildTokenizer(records: CorpusRecord[], vocabSize: number, outDir: string): void {
  const texts = records.map((r) => r.prompt + r.completion.replace(EOS, ''));
  const bpe = trainBpe(texts, vocabSize, [EOS, PAD]);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'tokenizer.json'), JSON.stringify(tokenizerJson(bpe, [EOS, PAD]), null, 2) + '\n');
  writeFileSync(join(outDir, 'tokenizer_config.json'), JSON.stringify(tokenizerConfig(EOS, PAD, MAX_LENGTH), null, 2) + '\n');
}

export function loadTokenizer(dir: string): Tokenizer {
  const json = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8'));
  const config = JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8'));
  return new Tokenizer(json, config);
}

export interface RoundTrip {
  texts: number;
  failures: number;
  firstFailure?: string;
  tokens: number;
  promptTokens: number;
  completionTokens: number;
  chars: number;
  maxTokens: number;
  eosId: number;
  padId: number;
  vocabSize: number;
}

export function checkRoundTrip(tok: Tokenizer, records: CorpusRecord[]): RoundTrip {
  const enc = (s: string) => tok.encode(s, { add_special_tokens: false }).ids;
  const [eosId] = enc(EOS);
  const [padId] = enc(PAD);
  let failures = 0;
  let firstFailure: string | undefined;
  let tokens = 0;
  let promptTokens = 0;
  let chars = 0;
  let maxTokens = 0;
  for (const r of records) {
    const text = r.prompt + r.completion;
    const ids = enc(text);
    const back = tok.decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false });
    if (back !== text) {
      failures++;
      firstFailure ??= JSON.stringify({ text, back });
    }
    const p = enc(r.prompt).length;
    promptTokens += p;
    tokens += ids.length;
    chars += text.length;
    maxTokens = Math.max(maxTokens, ids.length);
  }
  const vocabSize = Object.keys(JSON.parse(JSON.stringify((tok as unknown as { model: { vocab: string[] } }).model.vocab))).length;
  return { texts: records.length, failures, firstFailure, tokens, promptTokens, completionTokens: tokens - promptTokens, chars, maxTokens, eosId, padId, vocabSize };
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const records = readCorpus(resolve(arg('corpus', 'models/recipe/out/sft-corpus.jsonl')));
  const out = resolve(arg('out', 'models/crucible-tiny-coder'));
  const t0 = Date.now();
  buildTokenizer(records, Number(arg('vocab', '1024')), out);
  const trainMs = Date.now() - t0;
  const rt = checkRoundTrip(loadTokenizer(out), records);
  console.log(JSON.stringify({ trainMs, ...rt, charsPerToken: +(rt.chars / rt.tokens).toFixed(2) }, null, 2));
  if (rt.failures) process.exit(1);
}
