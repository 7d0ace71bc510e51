// Iterative on-policy training (manifest `rounds`): round k samples the train/val problems from round k-1's
// policy, executes, scores, pairs and trains from that policy (the reference is its start, or the base model);
// every round's stages have their own names and cache keys (generate.r2, train.r2, ...), so a killed run resumes
// inside the round it was in. After the last round its policy samples the selection split once more, which
// completes the per-round curve. An optional baseline trainer (e.g. SFT on the passing round-1 samples: RFT)
// learns from the same base samples, and the evaluator measures it and every round beside base and trained.

import { join } from 'node:path';
import type { ModelArtifact, SplitName } from '../kernel/contract/data.js';
import type { TrainResult } from '../kernel/contract/kinds.js';
import { CrucibleError } from '../kernel/errors.js';
import { writeJsonAtomic } from '../util/atomic.js';
import { checkPluginOutput } from '../kernel/contract/outputs.js';
import { assertNoTestLeak, bySplit } from './leakage.js';
import type { PipelineState } from './pipeline-state.js';
import type { Manifest } from '../kernel/manifest/schema.js';
import { passBySplit, trainingNumbers, type RoundInfo, type RoundsSummary } from './rounds-summary.js';
import { selectionProblems } from './split-guard.js';
import { withStage } from '../kernel/runner/stage.js';
import { labelledSamples, pairStage, readTrainResult, relativeIfInside, trainStage } from './stages-learn.js';
import { executeStage, generateStage, scoreStage, type RoundScope } from './stages-sample.js';

/** The manifest's `rounds` (defaults filled in by its schema). */
export type RoundsSpec = NonNullable<Manifest['rounds']>;

type Policy = { model: ModelArtifact; key: string };

async function baselineStage(state: PipelineState, start: ModelArtifact): Promise<TrainResult> {
  const keyParts = { execute: state.keys.execute, pair: state.keys.pair, trainer: state.plugins.identity('baseline'), seed: state.resolved.manifest.seed };
  return withStage(state, 'baseline', keyParts, async (stage) => {
    const file = join(stage.dir, 'train_result.json');
    if (stage.finished) return { value: readTrainResult(file, stage.dir) };
    const samples = labelledSamples(state);
    const pairs = state.pairs ?? [];
    assertNoTestLeak(samples, state.split, 'labelled samples');
    assertNoTestLeak(pairs, state.split, 'preference pairs');
    const s = bySplit(samples, state.split);
    const p = bySplit(pairs, state.split);
    const trainer = await state.plugins.get('baseline');
    const result = await trainer.train({ samples: s.train, validationSamples: s.val, pairs: p.train, validationPairs: p.val, model: start });
    checkPluginOutput('trainer', result, { plugin: state.plugins.name('baseline') });
    const stored = { ...result, model: { ...result.model, path: relativeIfInside(stage.dir, result.model.path) } };
    writeJsonAtomic(file, stored);
    return { value: readTrainResult(file, stage.dir), summary: { model: stored.model.path } };
  });
}

export async function runRounds(state: PipelineState, spec: RoundsSpec): Promise<void> {
  const curveProblems = selectionProblems(state.splits, state.split, spec.selectOn, 'rounds.selectOn');
  const selectOn = spec.selectOn as SplitName;
  const generator = await state.plugins.get('generator');
  const baseModel = generator.baseModel?.();
  if (!baseModel || !generator.withModel) {
    throw CrucibleError.at('CRUCIBLE_E_MANIFEST', { path: 'stages.generator', message: 'rounds need a generator with a local model it can swap for a trained policy', hint: 'use an in-process generator (one with withModel)' });
  }
  const reference = spec.reference;
  const base: Policy = { model: baseModel, key: 'base' };
  const infos: RoundInfo[] = [];
  const trained: Array<{ result: TrainResult; key: string }> = [];
  const curve: RoundsSummary['curve'] = [];
  let baseline: RoundsSummary['baseline'];
  let baselinePolicy: Policy | undefined;
  let prev: Policy | undefined;
  const addCurvePoint = (round: number) => {
    const { pass, counts } = passBySplit(state.executions, state.split);
    curve.push({ round, pass1: pass[selectOn] ?? Number.NaN, problems: counts[selectOn]?.problems ?? 0, samples: counts[selectOn]?.samples ?? 0 });
    return { pass, counts };
  };
  for (let r = 1; r <= spec.count; r++) {
    const scope: RoundScope = {
      suffix: r === 1 ? '' : `.r${r}`,
      ...(prev ? { policy: prev, start: prev } : {}),
      // Round 1 starts from the base model, so "base" and "round-start" are the same reference there.
      ...(reference === 'base' && prev ? { reference: base } : {}),
    };
    state.services.logger.info(`round ${r}/${spec.count}: sampling from ${prev ? `round ${r - 1}'s policy` : 'the base model'}`);
    await generateStage(state, scope);
    await executeStage(state, scope);
    await scoreStage(state, scope);
    const { pass, counts } = addCurvePoint(r - 1);
    await pairStage(state, scope);
    if (r === 1 && state.plugins.has('baseline')) {
      const result = await baselineStage(state, baseModel);
      baselinePolicy = { model: result.model, key: state.keys.baseline };
      baseline = { label: 'baseline', plugin: state.plugins.identity('baseline')!.plugin, stats: result.stats };
    }
    await trainStage(state, scope);
    const result = state.training!;
    const key = state.keys[`train${scope.suffix}`];
    trained.push({ result, key });
    const pairs = bySplit(state.pairs ?? [], state.split);
    infos.push({
      round: r,
      sampledFrom: r - 1,
      samplePass1: pass,
      samples: Object.values(counts).reduce((n, c) => n + (c?.samples ?? 0), 0),
      pairs: { train: pairs.train.length, val: pairs.val.length },
      training: trainingNumbers(result),
      model: result.model.path,
    });
    state.services.events.emitEvent('metric', { stage: 'rounds', name: 'round', step: r, values: { [`${selectOn}/pass@1 of the sampling policy`]: curve.at(-1)!.pass1, 'pairs/train': pairs.train.length, ...infos.at(-1)!.training } });
    prev = { model: result.model, key };
  }
  // The last round's policy samples the selection split once, closing the curve.
  await generateStage(state, { suffix: '.final', policy: prev!, problems: curveProblems });
  await executeStage(state, { suffix: '.final', policy: prev!, problems: curveProblems });
  addCurvePoint(spec.count);
  state.services.events.emitEvent('metric', { stage: 'rounds', name: 'curve', values: Object.fromEntries(curve.map((c) => [`${selectOn}/pass@1 after round ${c.round}`, c.pass1])) });

  const keep = spec.keep;
  let kept = spec.count;
  if (keep === 'best') for (let r = 1; r <= spec.count; r++) if (curve[r].pass1 > curve[kept].pass1) kept = r;
  state.training = trained[kept - 1].result;
  state.trainKey = trained[kept - 1].key;
  if (spec.evaluateRounds) {
    state.extraPolicies = [
      ...(baselinePolicy ? [{ label: 'baseline', ...baselinePolicy }] : []),
      ...trained.map((t, i) => ({ label: `round-${i + 1}`, model: t.result.model, key: t.key })).filter((_, i) => i !== kept - 1),
    ];
  }
  state.rounds = {
    count: spec.count,
    reference,
    keep,
    selectOn,
    curve,
    rounds: infos,
    kept,
    ...(baseline ? { baseline } : {}),
    decisions: {
      'kept round': keep === 'best' ? `${selectOn} pass@1 of each round's policy` : 'fixed in the manifest (last)',
      'trainer settings': 'fixed in the manifest (chosen on validation in earlier runs, README)',
      test: 'evaluated once, after every choice',
    },
  };
  writeJsonAtomic(join(state.runDir, 'rounds.json'), state.rounds);
}
