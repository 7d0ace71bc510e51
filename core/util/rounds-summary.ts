// What an iterative run reports per round (results.json's `rounds`, read by the report and the terminal), and the
// numbers the kernel's rounds (core/pipeline/rounds.ts) put in it.
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
  /** The trainer's numeric summary of this round (loss, reward accuracy, margins, log-ratio drift, ...). */
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

// Facts about the process rather than the round (timings, tensor counts, where a resume started) stay out.
const NOT_A_RESULT = /seconds|persec|numTensors|resumedAt/i;

/** The trainer's numbers worth a curve: its flat numeric stats and the last epoch's TRL-style metrics. */
export function trainingNumbers(result: TrainResult): Record<string, number> {
  const out: Record<string, number> = {};
  const take = (k: string, v: unknown) => {
    if (typeof v === 'number' && Number.isFinite(v) && !NOT_A_RESULT.test(k) && !(k in out)) out[k] = v;
  };
  for (const [k, v] of Object.entries(result.stats ?? {})) take(k, v);
  const last = (result.stats?.epochHistory as Array<Record<string, unknown>> | undefined)?.at(-1);
  for (const [k, v] of Object.entries(last ?? {})) take(k, v);
  // DPO's implicit rewards are beta * log(pi/ref): divided by beta they are the policy's log-ratio drift.
  const beta = out.beta;
  if (beta && out['rewards/chosen'] !== undefined) out['logratio/chosen'] = out['rewards/chosen'] / beta;
  if (beta && out['rewards/rejected'] !== undefined) out['logratio/rejected'] = out['rewards/rejected'] / beta;
  return out;
}
