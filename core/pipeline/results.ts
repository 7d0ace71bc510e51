// What results.json holds besides the kernel's `run` record: every metric, comparison and fact the stages measured.
import type { RunResults } from './run-results.js';
import type { PipelineState } from './pipeline-state.js';
import { summarizeExecutions } from '../util/execution-summary.js';

export function buildResults(state: PipelineState): Omit<RunResults, 'run'> {
  return {
    dataset: {
      hash: state.datasetHash,
      count: state.problems.length,
      splitCounts: { train: state.splits.train.length, val: state.splits.val.length, test: state.splits.test.length },
    },
    execution: executionSummary(state),
    pairing: state.pairingStats ? { stats: state.pairingStats } : undefined,
    training: state.training ? { stats: state.training.stats, curves: state.training.curves, model: state.training.model, ...(state.training.metrics ? { metrics: state.training.metrics } : {}), ...(state.training.sections ? { sections: state.training.sections } : {}) } : undefined,
    evaluation: state.evaluation,
    ...(state.rounds ? { rounds: state.rounds } : {}),
  };
}

/** The executed samples in numbers (every run that executed shows what it measured, with or without an evaluator). */
function executionSummary(state: PipelineState): RunResults['execution'] {
  if (!state.executions) return undefined;
  const s = summarizeExecutions(state.executions);
  return s && { samples: s.samples, problems: s.problems, passAt1: s.passAt1, compileRate: s.compileRate, meanTestPassRate: s.meanTestPassRate, taxonomy: s.taxonomy };
}

/** Flat numbers for the run index: the evaluation's headline, else the executed samples'. */
export function headlineOf(results: Pick<RunResults, 'evaluation' | 'execution'>): Record<string, number> {
  if (results.evaluation?.headline) return results.evaluation.headline;
  const e = results.execution;
  return e ? { 'samples/pass@1': e.passAt1, 'samples/compile_rate': e.compileRate, 'samples/count': e.samples } : {};
}
