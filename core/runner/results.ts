// results.json: every metric, comparison and fact about the run, and the report made from it.
import { join } from 'node:path';
import { writeJsonAtomic } from '../util/atomic.js';
import { writeReport, type RunResults } from '../report/index.js';
import type { PipelineState } from './pipeline-state.js';

/** results.json: the report's RunResults, with the stage log of this runner. */
export type RunResultsFile = RunResults & { run: RunResults['run'] & { stages: PipelineState['stageLog'] } };

export function buildResults(state: PipelineState, meta: { startedAt: string; versions: Record<string, string> }): RunResultsFile {
  return {
    run: {
      id: state.runId,
      name: state.resolved.manifest.name,
      seed: state.resolved.manifest.seed ?? 42,
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
    pairing: state.pairingStats ? { stats: state.pairingStats } : undefined,
    training: state.training ? { stats: state.training.stats, curves: state.training.curves, model: state.training.model } : undefined,
    evaluation: state.evaluation,
  };
}

/** Writes results.json, then report.html through the report module when it is available. */
export async function writeResults(runDir: string, results: RunResultsFile, report: boolean): Promise<void> {
  writeJsonAtomic(join(runDir, 'results.json'), results);
  if (!report) return;
  await writeReport(runDir, results);
}
