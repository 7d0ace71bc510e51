// energy-verifier: learns an energy E(prompt, code) that is low for code that passes its tests and high
// for code that fails, from the train split's executed candidates (labelled samples). Margin ranking
// over (pass, fail) pairs of the same problem (+ optional BCE), AdamW + warmup/cosine + clipping from
// plugins/lm, inside the shared training loop: per-epoch validation (pair ranking accuracy, AUROC, energy
// means) with early stopping on validation ranking accuracy, the best epoch's weights kept, checkpoints.
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { definePlugin } from 'crucible-ml';
import type { PluginContext } from 'crucible-ml';
import type { LabelledSample } from 'crucible-ml';
import type { TrainInput, TrainResult } from 'crucible-ml';
import { CrucibleError } from 'crucible-ml';
import { hashJson } from 'crucible-ml/util';
import { toJsonl } from 'crucible-ml/util';
import { runTrainingLoop, trainerOutput } from 'crucible-ml/training';
import { backendFor, ensureBackend, recordBackend } from '../../lm/backend.js';
import { loadVariables, saveVariables, tensorState } from '../../lm/train/checkpoint.js';
import { matmul } from '../../lm/train/matmul.js';
import { AdamW, decayMask, warmupCosine } from '../../lm/train/optim.js';
import { accumulateAndStep } from '../../lm/train/step.js';
import { allPairs, groupByProblem, labelledRow, packBatches, samplePairs, type Pair, type ProblemGroup } from './data.js';
import { auroc, energyBce, marginRankingLoss, rankingAccuracy } from './loss.js';
import { configSchema } from './schema.js';
import { fitScaling, scaleRow, textFeatures } from './text-features.js';
import { attachLogprobWeight, attachTextFeatures, EnergyModel, pick, type EnergyExtras } from './verifier.js';

export { loadVerifier, EnergyModel, type Verifier } from './verifier.js';

type Config = Parameters<Parameters<typeof definePlugin<'trainer', typeof configSchema>>[0]['create']>[0];
const meanOf = (xs: number[]) => (xs.length ? xs.reduce((s, v) => s + v, 0) / xs.length : Number.NaN);

function buildModel(config: Config, input: TrainInput, ctx: PluginContext, seed: number): { model: EnergyModel; source: string } {
  const at = (p: string) => (isAbsolute(p) ? p : resolve(ctx.baseDir, p));
  const limits = { maxPromptTokens: config.maxPromptTokens, maxCodeTokens: config.maxCodeTokens };
  if (config.init) {
    const path = at(config.init.model);
    return { model: EnergyModel.fromModel(path, config.init.layers, limits, seed), source: `init:${path}:${config.init.layers ?? 'all'}` };
  }
  const e = config.encoder;
  const tokenizerDir = e.tokenizer ? at(e.tokenizer) : input.model?.path;
  if (!tokenizerDir) {
    throw CrucibleError.at('CRUCIBLE_E_TRAIN', { path: 'stages.trainer.config.encoder.tokenizer', message: 'the verifier needs a tokenizer', hint: 'set encoder.tokenizer to a folder with tokenizer.json (e.g. models/crucible-tiny-coder), or init.model' });
  }
  const fresh = { hiddenSize: e.hiddenSize, layers: e.layers, heads: e.heads, kvHeads: e.kvHeads, intermediateSize: e.intermediateSize };
  return { model: EnergyModel.fresh(tokenizerDir, fresh, limits, seed), source: `fresh:${hashJson(fresh)}:${resolve(tokenizerDir)}` };
}

/** Validation: energies of every sample, ranking accuracy over all within-problem (pass, fail) pairs, AUROC. */
function measure(model: EnergyModel, seqs: number[][], samples: LabelledSample[], groups: ProblemGroup[], batch: number, extras: EnergyExtras): Record<string, number> {
  const e = model.scoreSequences(seqs, batch, extras);
  const pairs = allPairs(groups);
  const labels = samples.map((s) => s.label);
  return {
    ranking_accuracy: rankingAccuracy(pairs.map(([p]) => e[p]), pairs.map(([, n]) => e[n])),
    auroc: auroc(e, labels),
    energy_pass: meanOf(e.filter((_, i) => labels[i] === 1)),
    energy_fail: meanOf(e.filter((_, i) => labels[i] === 0)),
    pairs: pairs.length,
  };
}

async function train(config: Config, input: TrainInput, ctx: PluginContext): Promise<TrainResult> {
  const samples = input.samples ?? [];
  const valSamples = input.validationSamples ?? [];
  if (samples.length === 0) {
    throw CrucibleError.at('CRUCIBLE_E_TRAIN', { path: 'stages.trainer', message: 'the energy verifier got no labelled samples', hint: 'it needs stages.generator + executor on the train split and no pairing slot (pairs are not labelled samples)' });
  }
  const { groups, stats: trainCounts } = groupByProblem(samples);
  const { groups: valGroups, stats: valCounts } = groupByProblem(valSamples);
  ctx.files.writeText('labelled.jsonl', toJsonl([...samples, ...valSamples].map(labelledRow)));
  ctx.files.writeJson('labelled_stats.json', { train: trainCounts, val: valCounts });
  ctx.logger.info({ train: trainCounts, val: valCounts }, 'energy-verifier: labelled data');
  if (groups.length === 0) {
    throw CrucibleError.at('CRUCIBLE_E_TRAIN', {
      message: `no train problem has both a passing and a failing candidate (${trainCounts.allPass} all-pass, ${trainCounts.allFail} all-fail)`,
      hint: 'sample more candidates per problem (generator n) or at a higher temperature',
    });
  }

  const backend = await ensureBackend(backendFor(config.backend, ctx.runtime));
  recordBackend(ctx.events, backend);
  const seed = config.seed ?? ctx.seed;
  if (config.trainable === 'features' && !config.textFeatures && !config.logprobFeature) {
    throw CrucibleError.at('CRUCIBLE_E_TRAIN', { path: 'stages.trainer.config.trainable', message: 'trainable "features" trains only feature weights, and no feature is on', hint: 'set textFeatures: true (or logprobFeature: true), or trainable "all" / "head"' });
  }
  const { model, source } = buildModel(config, input, ctx, seed);
  try {
    const seqs = samples.map((s) => model.tokens(s.prompt, s.code));
    const valSeqs = valSamples.map((s) => model.tokens(s.prompt, s.code));
    let lps: number[] | undefined;
    let valLps: number[] | undefined;
    if (config.logprobFeature) {
      const missing = [...samples, ...valSamples].filter((s) => typeof s.logprob !== 'number').length;
      if (missing) {
        throw CrucibleError.at('CRUCIBLE_E_TRAIN', { path: 'stages.trainer.config.logprobFeature', message: `${missing} labelled samples have no log-prob`, hint: 'use a generator that reports log-probs, or set logprobFeature: false' });
      }
      attachLogprobWeight(model);
      lps = samples.map((s) => model.meanLogprob(s.code, s.logprob));
      valLps = valSamples.map((s) => model.meanLogprob(s.code, s.logprob));
    }
    let feats: number[][] | undefined;
    let valFeats: number[][] | undefined;
    if (config.textFeatures) {
      const raw = samples.map((s) => textFeatures(s.prompt, s.code));
      const scaling = fitScaling(raw);
      attachTextFeatures(model, scaling);
      feats = raw.map((r) => scaleRow(r, scaling));
      valFeats = valSamples.map((s) => model.features(s.prompt, s.code));
    }
    if (config.trainable === 'features') model.format.encoderTerm = false;
    const extras: EnergyExtras = { meanLogprobs: lps, features: feats };
    const valExtras: EnergyExtras = { meanLogprobs: valLps, features: valFeats };
    const vars = model.trainableVariables(config.trainable);
    const opt = new AdamW(vars, decayMask(vars), { beta1: 0.9, beta2: 0.999, weightDecay: config.weightDecay });
    const pairOptions = { negativesPerPositive: config.negativesPerPositive, maxPairsPerProblem: config.maxPairsPerProblem, marginScale: config.marginScale };
    const batchSize = config.batchSize;
    const margin = config.margin;
    const bceWeight = config.bceWeight;
    const scoreBatch = config.scoreBatch;
    const bestFile = ctx.files.path('best.safetensors');
    const hasVal = valGroups.length > 0;
    ctx.logger.info({ backend, pairsPerEpoch: samplePairs(samples, groups, pairOptions, seed, 0).length, epochs: config.epochs, params: vars.reduce((n, v) => n + v.size, 0), source }, 'energy-verifier: training');

    const run = await runTrainingLoop<Pair[]>({
      name: 'energy-verifier',
      dir: ctx.files.dir,
      fingerprint: { config, source, seed, data: hashJson(seqs), lps: lps && hashJson(lps), feats: feats && hashJson(feats), labels: samples.map((s) => s.label), val: hashJson(valSeqs) },
      seed,
      epochs: config.epochs,
      // Fresh negatives every epoch; a problem's pairs stay in one batch. The schedule counts epoch 0's steps.
      batches: (epoch) => packBatches(samplePairs(samples, groups, pairOptions, seed, epoch), samples, batchSize) as Pair[][],
      learningRate: (step, total) => warmupCosine(Math.min(step, total), { peak: config.lr, warmup: Math.min(config.warmupSteps, Math.floor(total / 2)), total, minRatio: 0.1 }),
      step: (batch, info) => {
        const unique = [...new Set(batch.flatMap((p) => [p.pos, p.neg]))];
        const slot = new Map(unique.map((s, i) => [s, i]));
        const U = unique.length;
        const P = new Float32Array(batch.length * U);
        const N = new Float32Array(batch.length * U);
        batch.forEach((p, i) => { P[i * U + slot.get(p.pos)!] = 1; N[i * U + slot.get(p.neg)!] = 1; });
        let energies: Float32Array | undefined;
        const r = accumulateAndStep(opt, 1, () => {
          const e = model.energies(unique.map((i) => seqs[i]), true, pick(extras, unique));
          energies = e.dataSync() as Float32Array;
          const col = tf.reshape(e, [U, 1]);
          // Selecting with one-hot matmuls: gather's gradient is missing on wasm.
          const ePos = tf.reshape(matmul(tf.tensor2d(P, [batch.length, U]), col), [-1]) as tf.Tensor1D;
          const eNeg = tf.reshape(matmul(tf.tensor2d(N, [batch.length, U]), col), [-1]) as tf.Tensor1D;
          let loss = marginRankingLoss(ePos, eNeg, tf.tensor1d(batch.map((p) => margin * p.scale)));
          if (bceWeight > 0) loss = tf.add(loss, tf.mul(energyBce(e, tf.tensor1d(unique.map((i) => samples[i].label))), bceWeight)) as tf.Scalar;
          return loss;
        }, info.lr, config.clip);
        const pos = batch.map((p) => energies![slot.get(p.pos)!]);
        const neg = batch.map((p) => energies![slot.get(p.neg)!]);
        const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
        // Pooled over the epoch's pairs, not averaged per step.
        return {
          loss: r.loss,
          metrics: {
            ranking_accuracy: { sum: pos.filter((p, i) => p < neg[i]).length, count: batch.length },
            energy_pass: { sum: sum(pos), count: batch.length },
            energy_fail: { sum: sum(neg), count: batch.length },
          },
        };
      },
      evaluate: hasVal ? () => measure(model, valSeqs, valSamples, valGroups, scoreBatch, valExtras) : undefined,
      // Early stopping on validation ranking accuracy (training accuracy without validation pairs); the
      // starting point is a candidate too: with an informative start (init.model, the log-prob feature)
      // training may only make validation ranking worse, and then the start is kept.
      selection: {
        metric: hasVal ? 'val/ranking_accuracy' : 'train/ranking_accuracy',
        mode: 'max',
        patience: config.patience,
        includeStart: hasVal,
        saveBest: () => saveVariables(bestFile, vars),
        restoreBest: () => { if (existsSync(bestFile)) loadVariables(bestFile, vars); },
      },
      state: tensorState(vars, opt),
      checkpointEvery: config.checkpointEvery,
      logEvery: 1,
      ctx,
    });
    opt.dispose();
    const final = run.validation;
    const stats: Record<string, unknown> = {
      backend, source, train: trainCounts, val: valCounts, pairsPerEpoch: samplePairs(samples, groups, pairOptions, seed, 0).length, steps: run.steps, epochsRun: run.epochs.length, earlyStopped: run.stoppedEarly,
      bestEpoch: run.best?.epoch ?? -1, selection: hasVal ? 'val/ranking_accuracy' : 'train/ranking_accuracy', bestScore: run.best?.value ?? -1,
      valRankingAccuracy: final?.ranking_accuracy, valAuroc: final?.auroc, valEnergyPass: final?.energy_pass, valEnergyFail: final?.energy_fail, valPairs: final?.pairs,
      seconds: run.seconds, resumedAt: run.resumedAt, resumedAtEpoch: run.resumedAtEpoch,
      logprobWeight: config.logprobFeature ? model.decoder.params.get('energy.logprob_weight')!.dataSync()[0] : undefined,
      textFeatureWeights: config.textFeatures ? Object.fromEntries(model.format.textFeatures!.names.map((n, i) => [n, model.decoder.params.get('energy.text_weight')!.dataSync()[i]])) : undefined,
      trainable: config.trainable,
    };
    const out = trainerOutput(ctx, config.output, 'verifier');
    model.save(out, { trainer: 'energy-verifier', ...stats });
    const reached = { 'val/ranking_accuracy': final?.ranking_accuracy, 'val/auroc': final?.auroc, 'val/energy_pass': final?.energy_pass, 'val/energy_fail': final?.energy_fail, 'best/score': run.best?.value };
    const metrics = Object.fromEntries(Object.entries(reached).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1])));
    return { model: { kind: 'verifier', path: out, meta: stats }, stats, metrics, curves: run.curves };
  } finally {
    model.dispose();
  }
}

export default definePlugin({
  kind: 'trainer',
  name: 'energy-verifier',
  version: '1.0.0',
  apiVersion: '^1',
  description: 'energy-based verifier (tfjs): margin ranking over (pass, fail) candidates of the same problem, early stopping on validation ranking accuracy; for the rerank evaluator',
  configSchema,
  create(config, ctx) {
    return { train: (input: TrainInput) => train(config as Config, input, ctx) };
  },
});
