// Preference data for the DPO trainer: from the pairing stage or any external {prompt, chosen, rejected}
// JSONL. Every line is validated (line-numbered errors); over-long pairs follow an explicit, counted policy.
import { existsSync } from 'node:fs';
import { CrucibleError } from 'crucible-ml';
import { readJsonl } from 'crucible-ml/util';
import type { PreferencePair } from 'crucible-ml';
import type { TextTokenizer } from '../../lm/tokenizer.js';

export function readPreferenceJsonl(file: string): PreferencePair[] {
  return readJsonl<Record<string, unknown>>(file).map(({ value, line }) => {
    for (const key of ['prompt', 'chosen', 'rejected']) {
      if (typeof value?.[key] !== 'string') {
        throw CrucibleError.at('CRUCIBLE_E_INPUT', { file, line, message: `"${key}" must be a string`, hint: 'each line needs {"prompt", "chosen", "rejected"}' });
      }
    }
    if (value.chosen === value.rejected) {
      throw CrucibleError.at('CRUCIBLE_E_INPUT', { file, line, message: 'chosen and rejected are identical', hint: 'such a pair teaches nothing; drop it upstream' });
    }
    return value as unknown as PreferencePair;
  });
}

export interface TokenizedPair {
  prompt: number[];
  chosen: number[];
  rejected: number[];
  source: PreferencePair;
}

export interface LengthReport {
  pairs: number;
  kept: number;
  truncated: number;
  dropped: number;
  promptTokens: { mean: number; max: number };
  completionTokens: { mean: number; max: number };
}

/**
 * `truncate`: keep the prompt's last tokens and cut completions so prompt + completion fits `maxLength`
 * (the prompt keeps at most half of it); `drop`: leave the pair out. Either way the count is reported.
 */
export function applyLengthPolicy(pairs: TokenizedPair[], maxLength: number, policy: 'truncate' | 'drop'): { pairs: TokenizedPair[]; report: LengthReport } {
  const kept: TokenizedPair[] = [];
  let truncated = 0;
  let dropped = 0;
  let promptSum = 0;
  let promptMax = 0;
  let compSum = 0;
  let compMax = 0;
  for (const p of pairs) {
    promptSum += p.prompt.length;
    promptMax = Math.max(promptMax, p.prompt.length);
    const longest = Math.max(p.chosen.length, p.rejected.length);
    compSum += (p.chosen.length + p.rejected.length) / 2;
    compMax = Math.max(compMax, longest);
    if (p.prompt.length + longest <= maxLength) {
      kept.push(p);
      continue;
    }
    if (policy === 'drop') {
      dropped++;
      continue;
    }
    const prompt = p.prompt.slice(-Math.min(p.prompt.length, Math.floor(maxLength / 2)));
    const room = maxLength - prompt.length;
    const chosen = p.chosen.slice(0, room);
    const rejected = p.rejected.slice(0, room);
    if (chosen.join(',') === rejected.join(',')) {
      dropped++; // truncation made them identical: nothing left to prefer
      continue;
    }
    truncated++;
    kept.push({ ...p, prompt, chosen, rejected });
  }
  const n = pairs.length || 1;
  return {
    pairs: kept,
    report: { pairs: pairs.length, kept: kept.length, truncated, dropped, promptTokens: { mean: promptSum / n, max: promptMax }, completionTokens: { mean: compSum / n, max: compMax } },
  };
}

export function readPreferenceFile(file: string): PreferencePair[] {
  if (!existsSync(file)) throw CrucibleError.at('CRUCIBLE_E_INPUT', { file, path: 'stages.trainer.config.data', message: 'preference data file does not exist' });
  return readPreferenceJsonl(file);
}

/** Pipeline pairs must be well formed too (a replayed or hand-made pairs file reaches us as TrainInput.pairs). */
export function checkPairs(pairs: PreferencePair[], where: string): PreferencePair[] {
  pairs.forEach((p, i) => {
    for (const key of ['prompt', 'chosen', 'rejected'] as const) {
      if (typeof p?.[key] !== 'string') throw CrucibleError.at('CRUCIBLE_E_INPUT', { path: `${where}[${i}].${key}`, message: `"${key}" must be a string` });
    }
  });
  return pairs.filter((p) => p.chosen !== p.rejected);
}

/** Prompt with the tokenizer's special prefix, completions (+ EOS), as every part of crucible splits a pair. */
export function tokenizePairs(tok: TextTokenizer, pairs: PreferencePair[], appendEos: boolean): TokenizedPair[] {
  const eos = tok.eosIds[0];
  const completion = (text: string) => {
    const ids = tok.encode(text);
    if (appendEos && eos !== undefined && ids.at(-1) !== eos) ids.push(eos);
    return ids;
  };
  return pairs.map((source) => ({ prompt: tok.encode(source.prompt, true), chosen: completion(source.chosen), rejected: completion(source.rejected), source }));
}
