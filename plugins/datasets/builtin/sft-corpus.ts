// The embedded model's SFT corpus (models/recipe/corpus.ts writes it; models/README.md): train-split problems of
// the builtin set (every solution style) plus synthetic variations of the families that have train problems.
// A variation draws fresh parameters and is dropped when its parameter key equals any val/test problem's key
// in that family, so no val/test problem (nor a renamed copy of one) reaches training. It lives beside the
// dataset because the dataset's `fresh` problems must avoid every parameter set the corpus holds.
import { splitProblems, DEFAULT_SPLIT } from 'crucible-ml';
import { SeededRng, deriveSeed } from 'crucible-ml/util';
import { builtinProblems, FAMILIES, paramKey, render, renderBuiltin } from './generate.js';

export const EOS = '<|endoftext|>';
export const PAD = '<|pad|>';

export interface CorpusRecord {
  prompt: string;
  /** The solution body, then the eos text, so the model learns to stop. */
  completion: string;
  family: string;
  source: 'train' | 'synthetic';
  /** Only on records copied from a train-split problem. */
  problemId?: string;
}

export interface CorpusStats {
  examples: number;
  fromTrainProblems: number;
  synthetic: number;
  rejectedHeldOut: number;
  families: number;
  familiesWithoutTrain: string[];
  split: { train: number; val: number; test: number };
  chars: number;
}

export interface Corpus {
  records: CorpusRecord[];
  stats: CorpusStats;
  /** Family -> every parameter key the corpus holds (train problems and synthetic variations). */
  paramKeys: Map<string, Set<string>>;
}

export function buildCorpus(options: { examples?: number; seed?: number } = {}): Corpus {
  const target = options.examples ?? 30_000;
  const seed = options.seed ?? 42;
  const split = splitProblems(builtinProblems(), DEFAULT_SPLIT, seed);
  const heldOut = new Map<string, Set<string>>();
  for (const p of [...split.val, ...split.test]) {
    const fam = String(p.meta.family);
    if (!heldOut.has(fam)) heldOut.set(fam, new Set());
    heldOut.get(fam)!.add(String(p.meta.paramKey));
  }
  const trainFamilies = new Set(split.train.map((p) => String(p.meta.family)));
  const families = FAMILIES.filter((f) => trainFamilies.has(f.name));

  const records: CorpusRecord[] = [];
  const seen = new Set<string>();
  const paramKeys = new Map<string, Set<string>>(FAMILIES.map((f) => [f.name, new Set<string>()]));
  const add = (rec: CorpusRecord): boolean => {
    const key = rec.prompt + '\u0000' + rec.completion;
    if (seen.has(key)) return false;
    seen.add(key);
    records.push(rec);
    return true;
  };

  // Train problems as they are in the dataset, with every correct solution style.
  for (const p of split.train) {
    const fam = FAMILIES.find((f) => f.name === p.meta.family)!;
    const r = renderBuiltin(fam, p.meta.params, Number(p.meta.index));
    if (r.prompt !== p.prompt) throw new Error(`${p.id}: re-rendered prompt differs from the dataset's`);
    for (const body of r.solutions) add({ prompt: p.prompt, completion: body + EOS, family: fam.name, source: 'train', problemId: p.id });
    paramKeys.get(fam.name)!.add(String(p.meta.paramKey));
  }
  const fromTrain = records.length;

  // Synthetic variations, round-robin over the families so each gets an equal share.
  let rejected = 0;
  const rngs = new Map(families.map((f) => [f.name, new SeededRng(deriveSeed(seed, `sft-corpus:${f.name}`))]));
  for (let round = 0, stalled = 0; records.length < target && stalled < 50; round++) {
    const before = records.length;
    for (const fam of families) {
      if (records.length >= target) break;
      const rng = rngs.get(fam.name)!;
      const params = fam.sample(rng);
      if (heldOut.get(fam.name)?.has(paramKey(params))) {
        rejected++;
        continue;
      }
      const inst = fam.build(params, rng.fork(`build:${round}`));
      const r = render(inst, rng.int(inst.bodies.length));
      if (add({ prompt: r.prompt, completion: r.solutions[0] + EOS, family: fam.name, source: 'synthetic' })) paramKeys.get(fam.name)!.add(paramKey(params));
    }
    stalled = records.length === before ? stalled + 1 : 0;
  }
  const shuffled = new SeededRng(deriveSeed(seed, 'sft-corpus:order')).shuffle(records);
  return {
    paramKeys,
    records: shuffled,
    stats: {
      examples: shuffled.length,
      fromTrainProblems: fromTrain,
      synthetic: shuffled.length - fromTrain,
      rejectedHeldOut: rejected,
      families: families.length,
      familiesWithoutTrain: FAMILIES.filter((f) => !trainFamilies.has(f.name)).map((f) => f.name),
      split: { train: split.train.length, val: split.val.length, test: split.test.length },
      chars: shuffled.reduce((a, r) => a + r.prompt.length + r.completion.length, 0),
    },
  };
}
