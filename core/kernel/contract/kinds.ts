// What `create` returns, one interface per plugin kind. Batch-first, async, cancellable through ctx.signal.
import type {
  Candidate,
  Execution,
  LabelledSample,
  ModelArtifact,
  PreferencePair,
  Problem,
  ScoredCandidate,
} from './data.js';
import type { ComparisonSummary, EvaluationSummary, ReportSection } from './summaries.js';

export interface Dataset {
  load(): Promise<Problem[]>;
}

export interface GenerateOptions {
  /** Samples per problem; the generator's configured n when omitted. */
  n?: number;
  /** Base seed; the generator derives a per-problem, per-sample seed from it. */
  seed?: number;
  temperature?: number;
  topP?: number;
  maxTokens?: number;
}

export interface LogprobResult {
  /** Sum of the completion tokens' log-probs (natural log). */
  sum: number;
  /** Per completion token. */
  tokens: number[];
}

export interface GeneratorInfo {
  model: string;
  promptFormat: string;
  [key: string]: unknown;
}

export interface ProblemSamples {
  problem: Problem;
  candidates: Candidate[];
}

export interface Generator {
  info(): GeneratorInfo;
  /** Yields each problem's candidates as soon as they are ready, in any order. */
  generate(problems: Problem[], options?: GenerateOptions): AsyncIterable<ProblemSamples>;
  /** The capability a log-prob judge needs; absent when the backend cannot score text. */
  logprobs?(prompt: string, completion: string): Promise<LogprobResult>;
  /** The local model this generator samples from, when it has one (the starting point of a trainer). */
  baseModel?(): ModelArtifact | undefined;
  /** The same generator over another model (a trained policy); absent when the model is fixed (replay, remote). */
  withModel?(model: ModelArtifact): Promise<Generator>;
  close?(): Promise<void>;
}

export interface Executor {
  execute(problem: Problem, candidates: Candidate[]): Promise<Execution[]>;
  /** Problems a stage may hand it at once (default 2); a remote executor (a queue of workers) wants many. */
  readonly concurrency?: number;
  close?(): Promise<void>;
}

export interface Scorer {
  score(problem: Problem, candidates: Candidate[], executions: Execution[]): Promise<number[]>;
  /** What a report should record about how scores were made (judge model, prompt format, ...). */
  describe?(): Record<string, unknown>;
}

export interface PairingSummary {
  pairs: PreferencePair[];
  stats: Record<string, unknown>;
}

export interface Pairing {
  pair(problem: Problem, scored: ScoredCandidate[]): PreferencePair[] | Promise<PreferencePair[]>;
  /**
   * Called once with all the plugin's pairs: may filter them and report numbers of its own (`stats`, shown as they
   * are). Quality gates and the pairing statistics are the kernel's, applied after it for every pairing plugin.
   */
  finalize?(pairs: PreferencePair[]): PairingSummary | Promise<PairingSummary>;
}

export interface TrainInput {
  /** Train-split preference pairs (already checked against the split by the runner). */
  pairs?: PreferencePair[];
  /** Validation-split pairs, for validation loss / reward accuracy and selection. */
  validationPairs?: PreferencePair[];
  /** Train-split labelled samples (verifier training). */
  samples?: LabelledSample[];
  validationSamples?: LabelledSample[];
  /** The starting model (from the generator's model, when it has one; in round k, round k-1's policy). */
  model?: ModelArtifact;
  /** The frozen reference, when it is not the starting model (rounds with `reference: "base"`). */
  referenceModel?: ModelArtifact;
  /** Validation problems, for trainers that select settings by validation pass@1. */
  validationProblems?: Problem[];
  /** Lets a trainer sample and execute on validation problems (selection by validation pass@1). */
  generator?: Generator;
  executor?: Executor;
}

export interface TrainResult {
  model: ModelArtifact;
  /** Shown in the report and the terminal as they are (numbers and short strings). */
  stats: Record<string, unknown>;
  /**
   * What training reached, in flat numbers (e.g. "train/loss", "val/accuracy"), most telling first: the
   * rounds' table and curves compare them round by round. Absent: the numbers among `stats`.
   */
  metrics?: Record<string, number>;
  /** More for report.html (tables the trainer wants shown). */
  sections?: ReportSection[];
  /** Named series for the report's training curves: { "train/loss": [[step, value], ...] }. */
  curves?: Record<string, Array<[number, number]>>;
}

export interface Trainer {
  train(input: TrainInput): Promise<TrainResult>;
}

export interface EvaluateInput {
  problems: Problem[];
  /** The experiment's generator bound to the base model. */
  base: Generator;
  /** The same generator bound to the trained policy, when the train stage produced one. */
  trained?: Generator;
  /** What the train stage produced (a policy or a verifier). */
  artifact?: ModelArtifact;
  executor: Executor;
  /**
   * The base model's evaluation shared across runs: the kernel keys it on the test split, the generator, the
   * executor, the evaluator and the seed, never on training, so a sweep over trainer or pairing settings
   * evaluates the unchanged base model once. An evaluator stores what it computed for the base model and
   * reuses what it gets back (a plain JSON value).
   */
  baseMemo?: { get<T = unknown>(): T | undefined; set(value: unknown): void };
  /** More policies to measure on the same problems and compare with base (rounds: each round, the baseline). */
  others?: Array<{ label: string; generator: Generator }>;
}

export interface EvaluationResult {
  /** Headline numbers (flat, for the run index and the terminal summary). */
  headline: Record<string, number>;
  /** The evaluator's own record (per-problem results, settings): stored, never read by the kernel or the report. */
  details: Record<string, unknown>;
  /** What the report, the terminal and `crucible compare` show: models, metrics with CIs, paired comparisons. */
  summary?: EvaluationSummary;
  /** More for report.html. */
  sections?: ReportSection[];
}

export interface Evaluator {
  evaluate(input: EvaluateInput): Promise<EvaluationResult>;
  /**
   * Compares two saved results of this evaluator (e.g. the final models of two runs), for `crucible compare`
   * and the HTTP API; throws CRUCIBLE_E_COMPARE when they are not comparable (other problems or seeds).
   */
  compare?(a: EvaluationResult, b: EvaluationResult): { comparison: ComparisonSummary; [key: string]: unknown };
}

export interface PluginKinds {
  dataset: Dataset;
  generator: Generator;
  executor: Executor;
  scorer: Scorer;
  pairing: Pairing;
  trainer: Trainer;
  evaluator: Evaluator;
}

export type PluginKind = keyof PluginKinds;

/** What the kernel needs to know about a kind besides its interface. */
export interface KindInfo {
  /** Where the kind's plugin sits in a manifest: the top-level `dataset`, or a slot under `stages`. */
  slot: 'dataset' | 'stages';
  /** The stage that runs it: its folder under `runs/<id>/stages/` and the name `--fresh` takes. */
  stage: string;
  /** The output schema (contract/outputs.ts) its stage checks records against, when it produces records. */
  output?: 'executions' | 'scores' | 'pairs' | 'training' | 'evaluation';
}

/**
 * The one list of plugin kinds, in run order. Manifest slots (schema.ts), stage names (core/pipeline/experiment.ts),
 * the slot -> stage map (runner/plugins.ts) and the kind check of `definePlugin` all derive from it; a new kind is
 * its interface above plus a row here (the compiler points at the row when the interface has none), and then
 * the stage function that runs it (core/pipeline/).
 */
export const KINDS = {
  dataset: { slot: 'dataset', stage: 'dataset' },
  generator: { slot: 'stages', stage: 'generate' },
  executor: { slot: 'stages', stage: 'execute', output: 'executions' },
  scorer: { slot: 'stages', stage: 'score', output: 'scores' },
  pairing: { slot: 'stages', stage: 'pair', output: 'pairs' },
  trainer: { slot: 'stages', stage: 'train', output: 'training' },
  evaluator: { slot: 'stages', stage: 'evaluate', output: 'evaluation' },
} as const satisfies { readonly [K in PluginKind]: KindInfo };

export const PLUGIN_KINDS = Object.keys(KINDS) as PluginKind[];

/** The kinds whose plugin sits under the manifest's `stages`, in run order. */
export type StageSlot = { [K in PluginKind]: (typeof KINDS)[K]['slot'] extends 'stages' ? K : never }[PluginKind];
export const STAGE_SLOTS = PLUGIN_KINDS.filter((k): k is StageSlot => KINDS[k].slot === 'stages');
