// Deterministic train/val/test split by problem id. Depends only on the set of ids, the fractions and the
// seed (never on file order), so every stage, the SFT recipe and a resumed run agree on membership.
import type { Problem, SplitName } from '../kernel/contract/data.js';
import { SeededRng, deriveSeed } from '../util/rng.js';

export interface SplitFractions {
  train: number;
  val: number;
  test: number;
}

export const DEFAULT_SPLIT: SplitFractions = { train: 0.5, val: 0.2, test: 0.3 };

export type SplitAssignment = Map<string, SplitName>;

const SPLIT_NAMES: readonly string[] = ['train', 'val', 'test'];

/** The split a dataset fixed for a problem (meta.split), if any: such problems keep it whatever the seed. */
export function pinnedSplit(problem: Problem): SplitName | undefined {
  const s = problem.meta?.split;
  return typeof s === 'string' && SPLIT_NAMES.includes(s) ? (s as SplitName) : undefined;
}

/** Problems with a dataset-fixed split keep it; the others are split by fractions and seed as usual. */
export function splitWithPins(problems: readonly Problem[], fractions: SplitFractions = DEFAULT_SPLIT, seed = 42): { assignment: SplitAssignment; pinned: number } {
  const free = problems.filter((p) => !pinnedSplit(p)).map((p) => p.id);
  const assignment = splitIds(free, fractions, seed);
  let pinned = 0;
  for (const p of problems) {
    const s = pinnedSplit(p);
    if (s) {
      assignment.set(p.id, s);
      pinned++;
    }
  }
  return { assignment, pinned };
}

export function splitIds(ids: readonly string[], fractions: SplitFractions = DEFAULT_SPLIT, seed = 42): SplitAssignment {
  const unique = [...new Set(ids)].sort();
  const order = new SeededRng(deriveSeed(seed, 'split')).shuffle(unique);
  const sum = fractions.train + fractions.val + fractions.test;
  const nTrain = Math.round((order.length * fractions.train) / sum);
  const nVal = Math.round((order.length * fractions.val) / sum);
  const out: SplitAssignment = new Map();
  order.forEach((id, i) => out.set(id, i < nTrain ? 'train' : i < nTrain + nVal ? 'val' : 'test'));
  return out;
}

export function splitProblems(problems: readonly Problem[], fractions?: SplitFractions, seed?: number): Record<SplitName, Problem[]> {
  const assignment = splitIds(problems.map((p) => p.id), fractions, seed);
  const out: Record<SplitName, Problem[]> = { train: [], val: [], test: [] };
  for (const p of problems) out[assignment.get(p.id)!].push(p);
  return out;
}
