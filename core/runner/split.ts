// Deterministic train/val/test split by problem id. Depends only on the set of ids, the fractions and the
// seed (never on file order), so every stage, the SFT recipe and a resumed run agree on membership.
import type { Problem, SplitName } from '../contract/data.js';
import { SeededRng, deriveSeed } from '../services/rng.js';

export interface SplitFractions {
  train: number;
  val: number;
  test: number;
}

export const DEFAULT_SPLIT: SplitFractions = { train: 0.5, val: 0.2, test: 0.3 };

export type SplitAssignment = Map<string, SplitName>;

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
