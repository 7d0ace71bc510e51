// Seeded batch order: shuffle per epoch, group similar lengths inside windows (less padding), then
// shuffle the batches. Pure function of (seed, epoch), so a resumed run replays the same order.
import { deriveSeed, SeededRng } from 'crucible-ml/util';

export function epochBatches(lengths: number[], batchSize: number, seed: number, epoch: number): number[][] {
  const rng = new SeededRng(deriveSeed(seed, `epoch:${epoch}`));
  const idx = rng.shuffle(lengths.map((_, i) => i));
  const window = batchSize * 32;
  const batches: number[][] = [];
  for (let w = 0; w < idx.length; w += window) {
    const chunk = idx.slice(w, w + window).sort((a, b) => lengths[a] - lengths[b]);
    for (let b = 0; b < chunk.length; b += batchSize) batches.push(chunk.slice(b, b + batchSize));
  }
  return rng.shuffle(batches);
}
