// crucible's experiment, the pipeline the kernel runs: load -> split -> generate -> execute -> score -> pair ->
// train -> evaluate. Each stage is optional where the manifest omits it; each is cached and resumable through the
// kernel's withStage. With `rounds`, sampling to training repeat on-policy (rounds.ts).
import { KINDS, STAGE_SLOTS } from '../kernel/contract/kinds.js';
import type { Pipeline } from '../kernel/runner/run-state.js';
import type { PipelineState } from './pipeline-state.js';
import { buildResults, headlineOf } from './results.js';
import { runRounds } from './rounds.js';
import { datasetStage, executeStage, generateStage, scoreStage, splitStage } from './stages-sample.js';
import { evaluateStage, pairStage, trainStage } from './stages-learn.js';

/** The stage names in run order: the dataset's, the split, then each stage kind's (KINDS). */
export const STAGE_NAMES: readonly string[] = [KINDS.dataset.stage, 'split', ...STAGE_SLOTS.map((kind) => KINDS[kind].stage)];

export const experimentPipeline: Pipeline = {
  stages: STAGE_NAMES,
  async run(run) {
    const state = run as PipelineState;
    const { manifest } = state.resolved;
    const slots = manifest.stages;
    const external = Boolean(manifest.inputs?.preferences);
    await datasetStage(state);
    await splitStage(state);
    if (manifest.rounds && !external) {
      await runRounds(state, manifest.rounds);
    } else {
      if (slots.generator && !external) await generateStage(state);
      if (slots.executor && state.candidates) await executeStage(state);
      if (slots.scorer && state.candidates) await scoreStage(state);
      if (slots.pairing && state.scores) await pairStage(state);
      if (slots.trainer) await trainStage(state);
    }
    if (slots.evaluator) await evaluateStage(state);
    const results = buildResults(state);
    return { results, headline: headlineOf(results) };
  },
};
