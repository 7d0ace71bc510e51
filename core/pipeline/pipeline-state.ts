import type { Candidate, Execution, ModelArtifact, PreferencePair, Problem, SplitName } from '../kernel/contract/data.js';
import type { EvaluationResult, TrainResult } from '../kernel/contract/kinds.js';
import type { RunState } from '../kernel/runner/run-state.js';
import type { RoundsSummary } from './rounds-summary.js';
import type { PairingStatistics } from './pair-quality.js';
import type { SplitAssignment } from './split.js';

/** What the experiment's stages share: the kernel's run state, inputs, and outputs so far. */
export interface PipelineState extends RunState {
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
}
