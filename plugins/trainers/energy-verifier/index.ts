// energy-verifier: learns an energy E(prompt, code) that is low for code that passes its tests and high
// for code that fails, from the train split's executed candidates (labelled samples). Margin ranking
// over (pass, fail) pairs of the same problem (+ optional BCE), AdamW + warmup/cosine + clipping from
// plugins/lm, per-epoch validation (pair ranking accuracy, AUROC, energy means) with early stopping on
// validation ranking accuracy, the best epoch's weights kept, checkpoints at every epoch end for resume.
import { existsSync, rmSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { definePlugin } from 'crucible-ml';
import type { PluginContext } from 'crucible-ml';
import type { LabelledSample } from 'crucible-ml';
import type { TrainInput, TrainResult } from 'crucible-ml';
import { CrucibleError } from 'crucible-ml';
import { hashJson } from 'crucible-ml/util';
import { toJsonl } from 'crucible-ml/util';
import { backendFor, ensureBackend, recordBackend } from '../../lm/backend.js';
import { readSafetensors, writeSafetensors, type NamedTensor } from '../../lm/safetensors.js';
import { loadCheckpoint, saveCheckpoint } from '../../lm/train/checkpoint.js';
import { matmul } from '../../lm/train/matmul.js';
import { AdamW, decayMask, warmupCosine } from '../../lm/train/optim.js';
import { accumulateAndStep } from '../../lm/train/step.js';
import { allPairs, groupByProblem, labelledRow, packBatches, samplePairs, type Pair, type ProblemGroup } from './data.js';
import { auroc, energyBce, marginRankingLoss, rankingAccuracy } from './loss.js';
import { configSchema } from './schema.js';
import { attachLogprobWeight, EnergyModel } from './verifier.js';

export { loadVerifier, EnergyModel, type Verifier } from './verifier.js';

type Config = Parameters<Parameters<typeof definePlugin<'trainer', typeof configSchema>>[0]['create']>[0];
type Curves = Record<string, Array<[number, number]>>;

interface Progress {
  /** Epochs finished. */
  epoch: number;
  step: number;
  best: number;
  bestEpoch: number;
  bad: number;
  stopped: boolean;
  curves: Curves;
}

const meanOf = (xs: number[]) => (xs.length ? xs.reduce((s, v) => s + v, 0) / xs.length : Number.NaN);

function buildModel(config: Config, input: TrainInput, ctx: PluginContext, seed: number): { model: EnergyModel; source: string } {
  const at = (p: string) => (isAbsolute(p) ? p : resolve(ctx.baseDir, p));
  const limits = { maxPromptTokens: config.maxPromptTokens ?? 96, maxCodeTokens: config.maxCodeTokens ?? 128 };
  if (config.init) {
    const path = at(config.init.model);
    return { model: EnergyModel.fromModel(path, config.init.layers, limits, seed), source: `init:${path}:${config.init.layers ?? 'all'}` };
  }
  const e = config.encoder ?? {};
  const tokenizerDir = e.tokenizer ? at(e.tokenizer) : input.model?.path;
  if (!tokenizerDir) {
    throw CrucibleError.at('CRUCIBLE_E_TRAIN', { path: 'stages.trainer.config.encoder.tokenizer', message: 'the verifier needs a tokenizer', hint: 'set encoder.tokenizer to a folder with tokenizer.json (e.g. models/crucible-tiny-coder), or init.model' });
  }
  const fresh = { hiddenSize: e.hiddenSize ?? 64, layers: e.layers ?? 2, heads: e.heads ?? 4, kvHeads: e.kvHeads, intermediateSize: e.intermediateSize };
  return { model: EnergyModel.fresh(tokenizerDir, fresh, limits, seed), source: `fresh:${hashJson(fresh)}:${resolve(tokenizerDir)}` };
}

/** Validation: energies of every sample, ranking accuracy over all within-problem (pass, fail) pairs, AUROC. */
function measure(model: EnergyModel, seqs: number[][], samples: LabelledSample[], groups: ProblemGroup[], batch: number, lps?: number[]) {
  const e = model.scoreSequences(seqs, batch, lps);
  const pairs = allPairs(groups);
  const labels = samples.map((s) => s.label);
  return {
    rankingAccuracy: rankingAccuracy(pairs.map(([p]) => e[p]), pairs.map(([, n]) => e[n])),
    auroc: auroc(e, labels),
    energyPass: meanOf(e.filter((_, i) => labels[i] === 1)),
    energyFail: meanOf(e.filter((_, i) => labels[i] === 0)),
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
    const vars = model.variables();
    const opt = new AdamW(vars, decayMask(vars), { beta1: 0.9, beta2: 0.999, weightDecay: config.weightDecay ?? 0.01 });
    const pairOptions = { negativesPerPositive: config.negativesPerPositive ?? 4, maxPairsPerProblem: config.maxPairsPerProblem ?? 0, marginScale: (config.marginScale ?? 'fixed') as 'fixed' | 'pass-rate-gap' };
    const batchSize = config.batchSize ?? 64;
    const epochs = config.epochs ?? 10;
    const firstPairs = samplePairs(samples, groups, pairOptions, seed, 0);
    const pairsPerEpoch = firstPairs.length;
    // Steps per epoch vary a little with the sampled negatives; the schedule uses epoch 0's count.
    const stepsPerEpoch = packBatches(firstPairs, samples, batchSize).length;
    const total = epochs * stepsPerEpoch;
    const sched = { peak: config.lr ?? 1e-3, warmup: Math.min(config.warmupSteps ?? 10, Math.floor(total / 2)), total, minRatio: 0.1 };
    const margin = config.margin ?? 1;
    const bceWeight = config.bceWeight ?? 0;
    const scoreBatch = config.scoreBatch ?? 64;
    const patience = config.patience ?? 3;
    const fingerprint = hashJson({ config, source, seed, data: hashJson(seqs), lps: lps && hashJson(lps), labels: samples.map((s) => s.label), val: hashJson(valSeqs) });

    const ckptDir = ctx.files.path('checkpoint');
    const bestFile = ctx.files.path('best.safetensors');
    const resumed = loadCheckpoint(ckptDir, vars, opt, fingerprint);
    const prog: Progress = resumed ? (resumed.progress as Progress) : { epoch: 0, step: 0, best: -1, bestEpoch: -1, bad: 0, stopped: false, curves: {} };
    const resumedAtEpoch = resumed ? prog.epoch : undefined;
    if (resumed) ctx.logger.info({ epoch: prog.epoch, step: prog.step }, `energy-verifier: resuming after epoch ${prog.epoch}`);
    else rmSync(bestFile, { force: true });
    const curve = (name: string, step: number, v: number) => { if (Number.isFinite(v)) (prog.curves[name] ??= []).push([step, v]); };
    ctx.logger.info({ backend, pairsPerEpoch, stepsPerEpoch, epochs, params: vars.reduce((n, v) => n + v.size, 0), source }, 'energy-verifier: training');
    const saveBest = () => {
      const tensors = new Map<string, NamedTensor>();
      vars.forEach((v, i) => tensors.set(`var.${i}`, { shape: v.shape, data: new Float32Array(v.dataSync()) }));
      writeSafetensors(bestFile, tensors);
    };
    // The starting point is a candidate too (epoch 0): with an informative start (init.model, the log-prob
    // feature) training may only make validation ranking worse, and then the start is kept.
    if (!resumed && valGroups.length) {
      const v = measure(model, valSeqs, valSamples, valGroups, scoreBatch, valLps);
      ctx.events.metric('validation', { ranking_accuracy: v.rankingAccuracy, auroc: v.auroc, energy_pass: v.energyPass, energy_fail: v.energyFail }, 0);
      curve('val/ranking_accuracy', 0, v.rankingAccuracy);
      curve('val/auroc', 0, v.auroc);
      ctx.logger.info({ rankingAccuracy: v.rankingAccuracy, auroc: v.auroc }, `energy-verifier: before training, val acc ${v.rankingAccuracy.toFixed(3)} auroc ${v.auroc.toFixed(3)}`);
      prog.best = v.rankingAccuracy;
      prog.bestEpoch = 0;
      saveBest();
    }
    ctx.progress.start(total, 'energy-verifier', prog.step);
    const started = Date.now();

    while (prog.epoch < epochs && !prog.stopped) {
      const epoch = prog.epoch;
      const pairs = samplePairs(samples, groups, pairOptions, seed, epoch);
      const losses: number[] = [];
      const ePosAll: number[] = [];
      const eNegAll: number[] = [];
      for (const batch of packBatches(pairs, samples, batchSize) as Pair[][]) {
        ctx.throwIfCancelled();
        const unique = [...new Set(batch.flatMap((p) => [p.pos, p.neg]))];
        const slot = new Map(unique.map((s, i) => [s, i]));
        const U = unique.length;
        const P = new Float32Array(batch.length * U);
        const N = new Float32Array(batch.length * U);
        batch.forEach((p, i) => { P[i * U + slot.get(p.pos)!] = 1; N[i * U + slot.get(p.neg)!] = 1; });
        let energies: Float32Array | undefined;
        const lr = warmupCosine(Math.min(prog.step, total), sched);
        const r = accumulateAndStep(opt, 1, () => {
          const e = model.energies(unique.map((i) => seqs[i]), true, lps && unique.map((i) => lps![i]));
          energies = e.dataSync() as Float32Array;
          const col = tf.reshape(e, [U, 1]);
          // Selecting with one-hot matmuls: gather's gradient is missing on wasm.
          const ePos = tf.reshape(matmul(tf.tensor2d(P, [batch.length, U]), col), [-1]) as tf.Tensor1D;
          const eNeg = tf.reshape(matmul(tf.tensor2d(N, [batch.length, U]), col), [-1]) as tf.Tensor1D;
          let loss = marginRankingLoss(ePos, eNeg, tf.tensor1d(batch.map((p) => margin * p.scale)));
          if (bceWeight > 0) loss = tf.add(loss, tf.mul(energyBce(e, tf.tensor1d(unique.map((i) => samples[i].label))), bceWeight)) as tf.Scalar;
          return loss;
        }, lr, config.clip ?? 1);
        if (!Number.isFinite(r.loss)) throw CrucibleError.at('CRUCIBLE_E_TRAIN', { message: `loss became ${r.loss} at step ${prog.step}`, hint: 'lower lr' });
        prog.step++;
        losses.push(r.loss);
        batch.forEach((p) => { ePosAll.push(energies![slot.get(p.pos)!]); eNegAll.push(energies![slot.get(p.neg)!]); });
        curve('train/loss', prog.step, r.loss);
        ctx.progress.tick();
        await new Promise((done) => setImmediate(done));
      }
      const trainAcc = rankingAccuracy(ePosAll, eNegAll);
      const epochValues: Record<string, number> = { epoch: epoch + 1, loss: meanOf(losses), ranking_accuracy: trainAcc, energy_pass: meanOf(ePosAll), energy_fail: meanOf(eNegAll) };
      curve('train/ranking_accuracy', prog.step, trainAcc);
      curve('train/energy_pass', prog.step, epochValues.energy_pass);
      curve('train/energy_fail', prog.step, epochValues.energy_fail);
      ctx.events.metric('train', epochValues, prog.step);
      // Selection: validation ranking accuracy; without validation pairs, the training accuracy.
      let score = trainAcc;
      if (valGroups.length) {
        const v = measure(model, valSeqs, valSamples, valGroups, scoreBatch, valLps);
        score = v.rankingAccuracy;
        ctx.events.metric('validation', { ranking_accuracy: v.rankingAccuracy, auroc: v.auroc, energy_pass: v.energyPass, energy_fail: v.energyFail }, prog.step);
        curve('val/ranking_accuracy', prog.step, v.rankingAccuracy);
        curve('val/auroc', prog.step, v.auroc);
        curve('val/energy_pass', prog.step, v.energyPass);
        curve('val/energy_fail', prog.step, v.energyFail);
        Object.assign(epochValues, { val_ranking_accuracy: v.rankingAccuracy, val_auroc: v.auroc });
      }
      ctx.logger.info(epochValues, `energy-verifier epoch ${epoch + 1}/${epochs}: loss ${epochValues.loss.toFixed(4)} train acc ${trainAcc.toFixed(3)}${valGroups.length ? ` val acc ${score.toFixed(3)} auroc ${epochValues.val_auroc.toFixed(3)}` : ''}`);
      ctx.progress.status(`epoch ${epoch + 1}/${epochs} loss ${epochValues.loss.toFixed(3)} acc ${score.toFixed(3)}`);
      if (score > prog.best) {
        prog.best = score;
        prog.bestEpoch = epoch + 1;
        prog.bad = 0;
        saveBest();
      } else {
        prog.bad++;
        if (patience > 0 && prog.bad >= patience) {
          prog.stopped = true;
          ctx.logger.info({ bestEpoch: prog.bestEpoch, best: prog.best }, `energy-verifier: early stop after ${prog.bad} epochs without a better ${valGroups.length ? 'validation' : 'training'} ranking accuracy`);
        }
      }
      prog.epoch++;
      saveCheckpoint(ckptDir, vars, opt, { step: prog.step, fingerprint, progress: prog });
    }

    // The selected epoch's weights.
    if (existsSync(bestFile)) {
      const { tensors } = readSafetensors(bestFile);
      vars.forEach((v, i) => v.assign(tf.tensor(tensors.get(`var.${i}`)!.data, v.shape)));
    }
    const final = valGroups.length ? measure(model, valSeqs, valSamples, valGroups, scoreBatch, valLps) : undefined;
    const stats: Record<string, unknown> = {
      backend, source, train: trainCounts, val: valCounts, pairsPerEpoch, steps: prog.step, epochsRun: prog.epoch, earlyStopped: prog.stopped,
      bestEpoch: prog.bestEpoch, selection: valGroups.length ? 'val/ranking_accuracy' : 'train/ranking_accuracy', bestScore: prog.best,
      valRankingAccuracy: final?.rankingAccuracy, valAuroc: final?.auroc, valEnergyPass: final?.energyPass, valEnergyFail: final?.energyFail, valPairs: final?.pairs,
      seconds: (Date.now() - started) / 1000, resumedAtEpoch,
      logprobWeight: config.logprobFeature ? model.decoder.params.get('energy.logprob_weight')!.dataSync()[0] : undefined,
    };
    const out = config.output && isAbsolute(config.output) ? config.output : config.output ? resolve(ctx.baseDir, config.output) : ctx.files.path('verifier');
    model.save(out, { trainer: 'energy-verifier', ...stats });
    opt.dispose();
    return { model: { kind: 'verifier', path: out, meta: stats }, stats, curves: prog.curves };
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
