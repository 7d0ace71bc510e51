// results.json: every metric, comparison and fact about the run, and the report made from it.
import { join } from 'node:path';
import { writeJsonAtomic } from '../../util/atomic.js';
import type { RunResults } from './run-results.js';
import type { PipelineState } from './pipeline-state.js';
import { summarizeExecutions } from '../../util/execution-summary.js';

/** results.json: the report's RunResults, with the stage log of this runner. */
export type RunResultsFile = RunResults & { run: RunResults['run'] & { stages: PipelineState['stageLog'] } };

export function buildResults(state: PipelineState, meta: { startedAt: string; versions: Record<string, string> }): RunResultsFile {
  return {
    run: {
      id: state.runId,
      name: state.resolved.manifest.name,
      seed: state.resolved.manifest.seed,
      startedAt: meta.startedAt,
      finishedAt: new Date().toISOString(),
      manifest: state.resolved.manifest,
      plugins: meta.versions,
      records: state.services.records,
      stages: state.stageLog,
      node: process.version,
    },
    dataset: {
      hash: state.datasetHash,
      count: state.problems.length,
      splitCounts: { train: state.splits.train.length, val: state.splits.val.length, test: state.splits.test.length },
    },
    execution: executionSummary(state),
    pairing: state.pairingStats ? { stats: state.pairingStats } : undefined,
    training: state.training ? { stats: state.training.stats, curves: state.training.curves, model: state.training.model, ...(state.training.sections ? { sections: state.training.sections } : {}) } : undefined,
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
export function headlineOf(results: RunResults): Record<string, number> {
  if (results.evaluation?.headline) return results.evaluation.headline;
  const e = results.execution;
  return e ? { 'samples/pass@1': e.passAt1, 'samples/compile_rate': e.compileRate, 'samples/count': e.samples } : {};
}

/** Writes results.json, then report.html through the host's report writer when there is one. */
export async function writeResults(runDir: string, results: RunResultsFile, writeReport?: (runDir: string, results: RunResults) => Promise<unknown>): Promise<void> {
  writeJsonAtomic(join(runDir, 'results.json'), results);
  if (!writeReport) return;
  await writeReport(runDir, results);
}
