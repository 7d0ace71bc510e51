// What an iterative run reports per round (results.json's `rounds`, read by the report and the terminal), and the
// numbers the rounds (rounds.ts) put in it.
import type { Execution, SplitName } from '../kernel/contract/data.js';
import type { TrainResult } from '../kernel/contract/kinds.js';

export interface RoundInfo {
  round: number;
  /** The policy this round sampled from: 0 = the base model, k = round k's policy. */
  sampledFrom: number;
  /** pass@1 of the sampling policy on this round's samples, per split (share of samples that pass every test). */
  samplePass1: Partial<Record<SplitName, number>>;
  samples: number;
  pairs: { train: number; val: number };
  /** What the trainer reached this round (its `metrics`: loss, validation accuracy, ...), shown as they are. */
  training: Record<string, number>;
  /** The policy trained in this round (a path in the run folder). */
  model: string;
}

export interface RoundsSummary {
  count: number;
  reference: 'round-start' | 'base';
  keep: 'last' | 'best';
  /** The split whose pass@1 makes the curve and decides `keep: "best"` (never test). */
  selectOn: SplitName;
  /** pass@1 on selectOn of the policy after r rounds (r = 0 is the base model). */
  curve: Array<{ round: number; pass1: number; problems: number; samples: number }>;
  rounds: RoundInfo[];
  /** The round whose policy is evaluated as "trained". */
  kept: number;
  /** Label of the baseline trainer's policy in the evaluation, when the manifest has one. */
  baseline?: { label: string; plugin: string; stats: Record<string, unknown> };
  /** Which split decided what (the test split decides nothing). */
  decisions: Record<string, string>;
}

/** Share of passing samples per split, over the problems of `executions`. */
export function passBySplit(executions: ReadonlyMap<string, Execution[]> | undefined, split: ReadonlyMap<string, SplitName>): { pass: Partial<Record<SplitName, number>>; counts: Partial<Record<SplitName, { problems: number; samples: number }>> } {
  const pass: Partial<Record<SplitName, number>> = {};
  const counts: Partial<Record<SplitName, { problems: number; samples: number }>> = {};
  const sums: Partial<Record<SplitName, number>> = {};
  for (const [problemId, list] of executions ?? new Map<string, Execution[]>()) {
    const s = split.get(problemId);
    if (!s || list.length === 0) continue;
    const c = (counts[s] ??= { problems: 0, samples: 0 });
    c.problems++;
    c.samples += list.length;
    sums[s] = (sums[s] ?? 0) + list.filter((e) => e.status === 'SUCCESS').length;
  }
  for (const s of Object.keys(counts) as SplitName[]) pass[s] = (sums[s] ?? 0) / counts[s]!.samples;
  return { pass, counts };
}

/** A round's training numbers: the trainer's `metrics` (finite ones), else the finite numbers among its `stats`. */
export function trainingNumbers(result: TrainResult): Record<string, number> {
  const source: Record<string, unknown> = result.metrics ?? result.stats ?? {};
  return Object.fromEntries(Object.entries(source).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1])));
}
