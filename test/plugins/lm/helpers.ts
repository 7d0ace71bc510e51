// Tiny models for tests: a char-level tokenizer.json that @huggingface/tokenizers loads, and random decoders.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDecoder, saveFolder, type NewDecoderConfig } from '../../../plugins/lm/index.js';

export const CHARS = ' \nabcdefghijklmnopqrstuvwxyz0123456789():=+-*/_,.#"\'[]<>';
export const EOS = '<|endoftext|>';

/** Char-level BPE (no merges): every character is one token; id 0 is the EOS token. */
export function writeCharTokenizer(dir: string): number {
  mkdirSync(dir, { recursive: true });
  const vocab: Record<string, number> = { [EOS]: 0 };
  [...CHARS].forEach((c, i) => { vocab[c] = i + 1; });
  const json = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [{ id: 0, content: EOS, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }],
    normalizer: null,
    pre_tokenizer: null,
    post_processor: null,
    decoder: { type: 'Fuse' },
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges: [] },
  };
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(json));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ eos_token: EOS, pad_token: EOS, tokenizer_class: 'PreTrainedTokenizerFast' }));
  return CHARS.length + 1;
}

export function tmp(prefix = 'crucible-lm-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A random tiny model folder with the char tokenizer. */
export function writeTinyModel(dir: string, over: Partial<NewDecoderConfig> = {}, seed = 1): string {
  const vocabSize = writeCharTokenizer(dir);
  const dec = createDecoder({ vocabSize, hiddenSize: 32, numLayers: 2, numHeads: 4, numKvHeads: 2, intermediateSize: 48, eosTokenIds: [0], ...over }, seed);
  saveFolder(dir, dec);
  dec.dispose();
  return dir;
}
