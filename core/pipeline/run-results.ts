// The shape of results.json: the kernel's runner writes its `run` part, this pipeline the rest; the report,
// `crucible report` and `crucible compare` read it.
import type { SplitName } from '../kernel/contract/data.js';
import type { EvaluationResult } from '../kernel/contract/kinds.js';
import type { ReportSection } from '../kernel/contract/summaries.js';
import type { PairingStatistics } from './pair-quality.js';
import type { RoundsSummary } from './rounds-summary.js';
import type { RunResultsBase } from '../kernel/runner/run-state.js';

export type Curves = Record<string, Array<[number, number]>>;

export interface RunResults extends RunResultsBase {
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
  /** crucible's statistics and gates over the pairs, the same fields for every pairing plugin. */
  pairing?: { stats: PairingStatistics };
  training?: { stats: Record<string, unknown>; curves?: Curves; model?: unknown; metrics?: Record<string, number>; sections?: ReportSection[] };
  evaluation?: EvaluationResult;
  /** Iterative runs: the per-round curve and facts (rounds-summary.ts). */
  rounds?: RoundsSummary;
}
