// The shape of results.json, which the runner writes and the report, `crucible report` and `crucible compare` read.
import type { SplitName } from '../contract/data.js';
import type { EvaluationResult } from '../contract/kinds.js';
import type { ReportSection } from '../contract/summaries.js';
import type { PairingStatistics } from './pair-quality.js';
import type { RoundsSummary } from '../../util/rounds-summary.js';

export type Curves = Record<string, Array<[number, number]>>;

export interface RunResults {
  run: {
    id: string;
    name: string;
    seed: number;
    startedAt: string;
    finishedAt: string;
    /** The resolved manifest (after extends and --set). */
    manifest: unknown;
    /** Plugin name -> version, e.g. { "pairing": "my-pairing@1.2.0" }. */
    plugins: Record<string, string>;
    /** Facts recorded during the run: backend, prompt format, judge model, ... */
    records: Record<string, unknown>;
    stages?: unknown;
    node?: string;
  };
  dataset: {
    /** Content hashes by file or split name. */
    hashes?: Record<string, string>;
    /** One hash of the whole dataset, when only that is known. */
    hash?: string;
    count?: number;
    splitCounts: Partial<Record<SplitName, number>>;
  };
  /** What the execute stage ran (train/val samples; replayed or generated): pass@1, compile rate, taxonomy. */
  execution?: { samples: number; problems: number; passAt1: number; compileRate: number; meanTestPassRate: number; taxonomy: Record<string, number> };
  /** The kernel's statistics and gates over the pairs, the same fields for every pairing plugin. */
  pairing?: { stats: PairingStatistics };
  training?: { stats: Record<string, unknown>; curves?: Curves; model?: unknown; sections?: ReportSection[] };
  evaluation?: EvaluationResult;
  /** Iterative runs: the per-round curve and facts (rounds-summary.ts). */
  rounds?: RoundsSummary;
}
