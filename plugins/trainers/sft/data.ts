// SFT examples: a JSONL of {prompt, completion} and/or the chosen side of preference pairs, tokenized
// as prompt (with the tokenizer's special prefix) + completion (+ EOS), truncated to maxLength.
import { existsSync } from 'node:fs';
import type { LabelledSample, PreferencePair } from 'crucible-ml';
import { CrucibleError } from 'crucible-ml';
import { readJsonl } from 'crucible-ml/util';
import type { TextTokenizer } from '../../lm/tokenizer.js';
import { truncate, type SeqExample } from '../../lm/train/batch.js';

export interface TextPair {
  prompt: string;
  completion: string;
}

export function readPairsFile(file: string): TextPair[] {
  if (!existsSync(file)) throw CrucibleError.at('CRUCIBLE_E_INPUT', { file, path: 'stages.trainer.config.data', message: 'SFT data file does not exist' });
  return readJsonl<Record<string, unknown>>(file).map(({ value, line }) => {
    if (typeof value.prompt !== 'string' || typeof value.completion !== 'string') {
      throw CrucibleError.at('CRUCIBLE_E_INPUT', { file, line, message: 'each line needs string fields "prompt" and "completion"' });
    }
    return { prompt: value.prompt, completion: value.completion };
  });
}

export function pairsToText(pairs: PreferencePair[] | undefined): TextPair[] {
  return (pairs ?? []).map((p) => ({ prompt: p.prompt, completion: p.chosen }));
}

/** Samples that pass every test, each distinct (prompt, code) once, in input order (RFT / STaR data). */
export function passingSamples(samples: LabelledSample[] | undefined): TextPair[] {
  const seen = new Set<string>();
  const out: TextPair[] = [];
  for (const s of samples ?? []) {
    const key = `${s.prompt}\u0000${s.code}`;
    if (s.label !== 1 || seen.has(key)) continue;
    seen.add(key);
    out.push({ prompt: s.prompt, completion: s.code });
  }
  return out;
}

export function tokenize(tok: TextTokenizer, data: TextPair[], o: { maxLength: number; appendEos: boolean }): SeqExample[] {
  const eos = tok.eosIds[0];
  const out: SeqExample[] = [];
  for (const d of data) {
    const prompt = tok.encode(d.prompt, true);
    const completion = tok.encode(d.completion);
    if (o.appendEos && eos !== undefined && completion.at(-1) !== eos) completion.push(eos);
    if (completion.length === 0 || prompt.length + completion.length < 2) continue;
    out.push(truncate({ prompt, completion }, o.maxLength));
  }
  return out;
}
