// Reference log-probs: the frozen starting model scores every pair once, before training, and the
// result is cached on disk keyed by (model hash, data hash). Training then needs only the policy in
// memory, and a rerun (another grid candidate, another run on the same data) skips this pass.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Cache } from 'crucible-ml';
import { hashFile, hashJson } from 'crucible-ml/util';
import type { Decoder } from '../../lm/model.js';
import { scorePairs } from './batch.js';
import type { TokenizedPair } from './data.js';

export interface ReferenceLogps {
  chosen: number[];
  rejected: number[];
}

/** Content hash of a model folder: config.json and every safetensors file (weights decide the reference). */
export async function modelHash(dir: string): Promise<string> {
  const files = readdirSync(dir).filter((f) => f === 'config.json' || f.endsWith('.safetensors')).sort();
  const parts: Record<string, string> = {};
  for (const f of files) parts[f] = await hashFile(join(dir, f));
  return hashJson(parts);
}

/** What the reference scores depend on: the token ids exactly as trained (after truncation). */
export function dataHash(pairs: TokenizedPair[]): string {
  return hashJson(pairs.map((p) => [p.prompt, p.chosen, p.rejected]));
}

export interface ReferenceResult extends ReferenceLogps {
  cached: boolean;
  seconds: number;
  positions: number;
  sequenceTokens: number;
}

/**
 * Cached reference log-probs for `pairs`, or computed with `load()`'s model (disposed afterwards).
 * `key` must identify the model; the data part is added here.
 */
export async function referenceLogps(o: {
  cache?: Cache;
  modelKey: string;
  pairs: TokenizedPair[];
  load: () => Decoder;
  batchSize: number;
  padId: number;
  between?: () => Promise<void>;
}): Promise<ReferenceResult> {
  const key = `dpo-reference:v1:${o.modelKey}:${dataHash(o.pairs)}`;
  const hit = o.cache?.get<ReferenceLogps>(key);
  if (hit && hit.chosen?.length === o.pairs.length && hit.rejected?.length === o.pairs.length) return { ...hit, cached: true, seconds: 0, positions: 0, sequenceTokens: 0 };
  const started = Date.now();
  const model = o.load();
  try {
    const r = await scorePairs(model, o.pairs, o.batchSize, o.padId, o.between);
    o.cache?.set(key, { chosen: r.chosen, rejected: r.rejected });
    return { chosen: r.chosen, rejected: r.rejected, cached: false, seconds: (Date.now() - started) / 1000, positions: r.positions, sequenceTokens: r.sequenceTokens };
  } finally {
    model.dispose();
  }
}
