// Seeded randomness. Streams are forked by label (hash of seed + label), so adding a random draw in one
// place never shifts the numbers another stage sees: resumed and uninterrupted runs agree.
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { createHash } from 'node:crypto';
import type { Rng } from '../kernel/contract/context.js';

/** A 31-bit seed derived from a parent seed and a label. */
export function deriveSeed(seed: number, label: string): number {
  const digest = createHash('sha256').update(`${seed}:${label}`).digest();
  return digest.readUInt32LE(0) & 0x7fffffff;
}

export class SeededRng implements Rng {
  readonly seed: number;
  private readonly gen: ReturnType<typeof xoroshiro128plus>;

  constructor(seed: number) {
    this.seed = seed;
    this.gen = xoroshiro128plus(seed);
  }

  next(): number {
    return uniformFloat64(this.gen);
  }

  int(max: number): number {
    return Math.floor(this.next() * max);
  }

  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  sample<T>(items: readonly T[], k: number): T[] {
    return this.shuffle(items).slice(0, Math.max(0, k));
  }

  fork(label: string): Rng {
    return new SeededRng(deriveSeed(this.seed, label));
  }
}
