// Batch order for one epoch, a pure function of (seed, epoch) so a resumed run replays it.
// `shuffled`: the lm core's length-bucketed shuffle (TRL-like random batches). `by-prompt`: pairs of
// the same prompt (one problem's samples) land in the same batch, so its prompt is computed once per
// batch (much faster when prompts are long), at the cost of less varied batches.
import { deriveSeed, SeededRng } from 'crucible-ml/util';
import { epochBatches } from '../../lm/train/order.js';
import type { TokenizedPair } from './data.js';

export type BatchOrder = 'shuffled' | 'by-prompt';

export function epochOrder(pairs: TokenizedPair[], batchSize: number, seed: number, epoch: number, order: BatchOrder): number[][] {
  if (order === 'shuffled') return epochBatches(pairs.map((p) => p.prompt.length + Math.max(p.chosen.length, p.rejected.length)), batchSize, seed, epoch);
  const rng = new SeededRng(deriveSeed(seed, `dpo-by-prompt:${epoch}`));
  const groups = new Map<string, number[]>();
  pairs.forEach((p, i) => {
    const k = p.prompt.join(',');
    groups.set(k, [...(groups.get(k) ?? []), i]);
  });
  const flat = rng.shuffle([...groups.values()]).flatMap((g) => rng.shuffle(g));
  const batches: number[][] = [];
  for (let i = 0; i < flat.length; i += batchSize) batches.push(flat.slice(i, i + batchSize));
  return rng.shuffle(batches);
}
