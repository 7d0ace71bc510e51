// Problems beyond the 200: more parameter sets of the same families, for a test split with statistical power.
// The embedded model's SFT corpus (sft-corpus.ts) holds every parameter set its variations drew, and for most
// families that is the whole parameter space; a fresh problem takes only a parameter set that is neither one of
// the 200 nor anywhere in that corpus, so the embedded model never trained on it (nor on a renamed copy:
// function names encode the parameters). Families whose space the corpus exhausted contribute none.
// Every problem carries its split in meta.split, fixed by the dataset rather than by a run's seed: the 200 keep
// the seed-42 split the corpus was built from (a train problem of the corpus must never be tested on), and
// the fresh ones get a fixed split of their own, so runs with other seeds test on the same problems.
import type { Problem, SplitName } from 'crucible-ml';
import { splitIds, splitProblems, DEFAULT_SPLIT, type SplitFractions } from 'crucible-ml';
import { builtinProblems, FAMILIES, familyParams, makeProblem } from './generate.js';
import { buildCorpus } from './sft-corpus.js';

/** The split the SFT corpus was built from (models/README.md). */
const CORPUS_SPLIT_SEED = 42;
/** Fixed: the fresh problems' split is part of the dataset, not of a run's seed. */
const FRESH_SPLIT_SEED = 20261206;
/** Draws per family before giving up on finding more unseen parameter sets. */
const MAX_TRIES = 20_000;

export interface FreshOptions {
  perFamily: number;
  split: SplitFractions;
}

export const DEFAULT_FRESH: FreshOptions = { perFamily: 100, split: { train: 0.3, val: 0.2, test: 0.5 } };

const withSplit = (p: Problem, split: SplitName): Problem => ({ ...p, meta: { ...p.meta, split } });

/** Up to perFamily unseen parameter sets per family, rendered as problems (ids builtin-fresh/<family>/<k>). */
export function freshOnly(perFamily: number): Problem[] {
  const { paramKeys } = buildCorpus({ seed: CORPUS_SPLIT_SEED });
  const seen = new Map<string, Set<string>>(FAMILIES.map((f) => [f.name, new Set(paramKeys.get(f.name))]));
  for (const p of builtinProblems()) seen.get(String(p.meta.family))!.add(String(p.meta.paramKey));
  const out: Problem[] = [];
  for (const family of FAMILIES) {
    familyParams(family, perFamily, 'fresh', seen.get(family.name), MAX_TRIES).forEach((params, k) => out.push(makeProblem(family, params, k, 'fresh')));
  }
  return out;
}

/** The 200 with their corpus split pinned, plus the fresh problems with a fixed split of their own. */
export function withFreshProblems(options: FreshOptions = DEFAULT_FRESH): Problem[] {
  const base = splitProblems(builtinProblems(), DEFAULT_SPLIT, CORPUS_SPLIT_SEED);
  const fresh = freshOnly(options.perFamily);
  const freshSplit = splitIds(fresh.map((p) => p.id), options.split, FRESH_SPLIT_SEED);
  return [
    ...(['train', 'val', 'test'] as const).flatMap((s) => base[s].map((p) => withSplit(p, s))),
    ...fresh.map((p) => withSplit(p, freshSplit.get(p.id)!)),
  ];
}
