// The saved shape of one model's evaluation and of a comparison of two; plain JSON (results.json, evaluation.json).
import type { ExecutionStatus } from 'crucible-ml';

export type StatusCounts = Record<ExecutionStatus, number>;

export interface SamplingSettings {
  n: number;
  seed: number;
  temperature: number;
  topP: number;
  maxTokens?: number;
}

export interface ProblemResult {
  problemId: string;
  /** Samples obtained and samples that passed every test. */
  n: number;
  c: number;
  /** "pass@1" -> estimate for this problem. */
  passAtK: Record<string, number>;
  statuses: StatusCounts;
  /** Mean per-test pass rate over the samples. */
  meanTestPassRate: number;
  generationMs: number;
  executionMs: number;
}

export interface Summary {
  mean: number;
  median: number;
  total: number;
}

export interface ModelEvaluation {
  label: string;
  model: { model?: string; promptFormat?: string; [key: string]: unknown };
  sampling: SamplingSettings;
  /** Sorted ids: the comparison refuses evaluations over different sets. */
  problemIds: string[];
  /** "pass@1" -> mean over problems with its one-sample 95% t interval. */
  passAtK: Record<string, { value: number; ci95: [number, number] }>;
  taxonomy: { total: number; counts: StatusCounts; shares: StatusCounts };
  /** Share of samples that are not SYNTAX_ERROR. */
  compileRate: number;
  meanTestPassRate: number;
  /** Per problem: generation and execution separately. */
  timing: { generationMs: Summary; executionMs: Summary; generationSource: string };
  perProblem: ProblemResult[];
}

export interface Change {
  a: number;
  b: number;
  /** b - a. */
  absolute: number;
  /** (b - a) / a; null when a is 0. */
  relative: number | null;
}

export interface Comparison {
  a: string;
  b: string;
  problems: number;
  seed: number;
  /** pass@k, compile rate, mean test pass rate, mean times. */
  metrics: Record<string, Change>;
  /** Share of samples in each status (and the counts). */
  taxonomy: Record<string, Change & { countA: number; countB: number }>;
  /** Per-problem paired tests for each pass@k. */
  tests: Record<string, { ttest: import('./significance.js').TTestResult; wilcoxon: import('./significance.js').WilcoxonResult }>;
}

export interface PassAtKDetails {
  evaluator: 'pass-at-k';
  config: { k: number[] } & SamplingSettings;
  base: ModelEvaluation;
  trained?: ModelEvaluation;
  comparison?: Comparison;
  /** More policies on the same problems and seed (rounds, baselines), each compared with base. */
  others?: Array<{ label: string; evaluation: ModelEvaluation; comparison: Comparison }>;
}
