import type { Candidate, Execution, PreferencePair, Problem, SplitName } from '../contract/data.js';
import type { EvaluationResult, TrainResult } from '../contract/kinds.js';
import type { ModelArtifact } from '../contract/data.js';
import type { RoundsSummary } from '../../util/rounds-summary.js';
import type { PairingStatistics } from './pair-quality.js';
import type { ResolvedManifest } from '../manifest/validate.js';
import type { RunPlugins } from './plugins.js';
import type { SplitAssignment } from './split.js';
import type { RunServices } from './stage-context.js';

/** What one run's stages share: inputs, outputs so far, and the cache key of each finished stage. */
export interface PipelineState {
  runId: string;
  runDir: string;
  cacheRoot?: string;
  resolved: ResolvedManifest;
  plugins: RunPlugins;
  services: RunServices;
  keys: Record<string, string>;
  /** --no-cache / --fresh STAGE of this execution. */
  cacheOptions: { noCache?: boolean; fresh?: string };
  /** Set once the --fresh stage is reached: it and every later stage rerun. */
  freshNow: boolean;
  problems: Problem[];
  split: SplitAssignment;
  splits: Record<SplitName, Problem[]>;
  datasetHash?: string;
  candidates?: Map<string, Candidate[]>;
  executions?: Map<string, Execution[]>;
  scores?: Map<string, number[]>;
  pairs?: PreferencePair[];
  pairingStats?: PairingStatistics;
  training?: TrainResult;
  /** The stage key of the policy in `training` when it is not the last train stage's (rounds with keep "best"). */
  trainKey?: string;
  evaluation?: EvaluationResult;
  /** Per-round facts of an iterative run (rounds.ts), for results.json, the report and the terminal. */
  rounds?: RoundsSummary;
  /** Policies the evaluator measures beside base and trained, with their stage keys. */
  extraPolicies?: Array<{ label: string; model: ModelArtifact; key: string }>;
  /** Stage name -> how it went (ran, resumed, cache), for the summary and tests. */
  stageLog: Array<{ stage: string; status: 'ran' | 'run' | 'cache' | 'skipped'; durationMs: number }>;
}
