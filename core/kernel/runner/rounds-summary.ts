// What an iterative run reports per round: results.json's `rounds`, read by the report and the terminal.
import type { SplitName } from '../contract/data.js';

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
