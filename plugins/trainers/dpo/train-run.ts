// One DPO training run for one setting (beta, lr, epochs, ...) in its own folder: seeded batch order,
// AdamW + warmup/cosine + clipping + accumulation from the lm training core, TRL-named metrics per
// logged step and per epoch, validation per epoch, checkpoints a killed run resumes from exactly.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { PluginContext } from 'crucible-ml';
import { CrucibleError } from 'crucible-ml';
import { hashJson } from 'crucible-ml/util';
import { writeJsonAtomic } from 'crucible-ml/util';
import { saveFolder } from '../../lm/folder.js';
import { attachLora, mergeLora, saveAdapter, type LoraConfig } from '../../lm/lora.js';
import type { Decoder } from '../../lm/model.js';
import { loadCheckpoint, saveCheckpoint } from '../../lm/train/checkpoint.js';
import { AdamW, decayMask, warmupCosine } from '../../lm/train/optim.js';
import { accumulateAndStep } from '../../lm/train/step.js';
import { pairForward, scorePairs } from './batch.js';
import type { TokenizedPair } from './data.js';
import { preferenceLoss, rewardStats, type LossType, type RewardStats } from './loss.js';
import { epochOrder, type BatchOrder } from './order.js';
import { dataHash, type ReferenceLogps } from './reference.js';

export interface Setting {
  loss: LossType;
  beta: number;
  lr: number;
  epochs: number;
  rpoAlpha: number;
}

export interface RunOptions {
  setting: Setting;
  batchSize: number;
  batchOrder: BatchOrder;
  gradAccumulation: number;
  warmupRatio: number;
  minLrRatio: number;
  weightDecay: number;
  maxGradNorm: number;
  beta1: number;
  beta2: number;
  seed: number;
  logEvery: number;
  checkpointEvery: number;
  lora?: LoraConfig;
  padId: number;
  /** Prefix of the event-stream metric names (grid candidates: "grid/<name>/"). */
  metricPrefix?: string;
}

export interface RunData {
  train: TokenizedPair[];
  trainRef: ReferenceLogps;
  val: TokenizedPair[];
  valRef: ReferenceLogps;
}

export type Curves = Record<string, Array<[number, number]>>;

export interface EpochRecord extends Partial<RewardStats> {
  epoch: number;
  step: number;
  loss: number;
  grad_norm: number;
  'val/loss'?: number;
  'val/rewards/accuracies'?: number;
  'val/rewards/margins'?: number;
  numTensors: number;
  seconds: number;
}

export interface RunResult {
  finalDir: string;
  adapterDir?: string;
  steps: number;
  epochs: EpochRecord[];
  curves: Curves;
  resumedAt?: number;
  tokens: number;
  seconds: number;
  tokensPerSec: number;
}

type Sums = Record<string, number>;
const KEYS = ['loss', 'rewards/chosen', 'rewards/rejected', 'rewards/accuracies', 'rewards/margins', 'logps/chosen', 'logps/rejected', 'grad_norm'] as const;

/** Validation loss and reward statistics, no gradients. */
export async function validate(model: Decoder, val: TokenizedPair[], ref: ReferenceLogps, s: Setting, size: number, padId: number): Promise<(RewardStats & { loss: number }) | undefined> {
  if (!val.length) return undefined;
  const p = await scorePairs(model, val, size, padId);
  const nll = val.map((v, i) => -p.chosen[i] / Math.max(1, v.chosen.length));
  const loss = tf.tidy(() =>
    preferenceLoss(
      { policyChosen: tf.tensor1d(p.chosen), policyRejected: tf.tensor1d(p.rejected), refChosen: tf.tensor1d(ref.chosen), refRejected: tf.tensor1d(ref.rejected), chosenNll: tf.tensor1d(nll) },
      { type: s.loss, beta: s.beta, rpoAlpha: s.rpoAlpha },
    ).dataSync()[0],
  );
  return { loss, ...rewardStats(s.beta, p.chosen, p.rejected, ref.chosen, ref.rejected) };
}

/** Trains `decoder` (the policy at its starting weights) in `dir`; the caller disposes the decoder. */
export async function trainRun(decoder: Decoder, data: RunData, o: RunOptions, dir: string, ctx: PluginContext, save: { tokenizerFrom: string; rawConfig?: Record<string, unknown>; source: string; modelKey: string }): Promise<RunResult> {
  mkdirSync(dir, { recursive: true });
  const s = o.setting;
  if (o.lora) attachLora(decoder, o.lora, o.seed);
  const vars = decoder.trainableVariables();
  const opt = new AdamW(vars, decayMask(vars), { beta1: o.beta1, beta2: o.beta2, weightDecay: o.weightDecay });
  try {
    const microPerEpoch = Math.ceil(data.train.length / o.batchSize);
    const stepsPerEpoch = Math.ceil(microPerEpoch / o.gradAccumulation);
    const total = stepsPerEpoch * s.epochs;
    const sched = { peak: s.lr, warmup: Math.round(total * o.warmupRatio), total, minRatio: o.minLrRatio };
    const fingerprint = hashJson({ o: { ...o, lora: o.lora ?? null, metricPrefix: null }, train: dataHash(data.train), model: save.modelKey });

    const ckptDir = join(dir, 'checkpoint');
    // Finished before (killed after the final save): nothing to redo.
    const resultFile = join(dir, 'run_result.json');
    if (existsSync(resultFile)) {
      const done = JSON.parse(readFileSync(resultFile, 'utf8')) as RunResult & { fingerprint?: string };
      if (done.fingerprint === fingerprint && existsSync(join(done.finalDir, 'model.safetensors'))) return done;
    }
    const resumed = loadCheckpoint(ckptDir, vars, opt, fingerprint);
    let step = resumed?.step ?? 0;
    const curves: Curves = (resumed?.curves as Curves) ?? {};
    const epochs: EpochRecord[] = (resumed?.epochs as EpochRecord[]) ?? [];
    let epochSums: Sums = (resumed?.epochSums as Sums) ?? {};
    let tokens = (resumed?.tokens as number) ?? 0;
    if (resumed) ctx.logger.info({ step, dir }, `dpo: resuming from the checkpoint at step ${step}`);
    const point = (name: string, x: number, y: number) => (curves[name] ??= []).push([x, y]);
    const state = () => ({ step, fingerprint, curves, epochs, epochSums, windowSums, tokens });

    ctx.progress.start(total, `dpo ${dir.split('/').slice(-2).join('/')}`, step);
    // Logged values average the steps since the last log, across a resume too.
    let windowSums: Sums = (resumed?.windowSums as Sums) ?? {};
    let windowTokens = 0;
    let windowStart = Date.now();
    const started = Date.now();
    let tokensThisRun = 0;
    let orderEpoch = -1;
    let order: number[][] = [];
    let epochStart = Date.now();

    while (step < total) {
      ctx.throwIfCancelled();
      const epoch = Math.floor(step / stepsPerEpoch);
      if (orderEpoch !== epoch) {
        order = epochOrder(data.train, o.batchSize, o.seed, epoch, o.batchOrder);
        orderEpoch = epoch;
      }
      const inEpoch = step - epoch * stepsPerEpoch;
      const micro = order.slice(inEpoch * o.gradAccumulation, (inEpoch + 1) * o.gradAccumulation);
      const stepPairs = micro.reduce((n, m) => n + m.length, 0);
      const pc: number[] = [];
      const pr: number[] = [];
      const rc: number[] = [];
      const rr: number[] = [];
      let positions = 0;
      const lr = warmupCosine(step, sched);
      const r = accumulateAndStep(opt, micro.length, (i) => {
        const idx = micro[i];
        const f = pairForward(decoder, idx.map((k) => data.train[k]), true, o.padId);
        positions += f.sequenceTokens;
        const refC = idx.map((k) => data.trainRef.chosen[k]);
        const refR = idx.map((k) => data.trainRef.rejected[k]);
        // Values for the logged statistics (read during the forward pass; no effect on gradients).
        pc.push(...f.chosen.dataSync());
        pr.push(...f.rejected.dataSync());
        rc.push(...refC);
        rr.push(...refR);
        const nll = tf.div(tf.neg(f.chosen), tf.tensor1d(f.chosenTokens)) as tf.Tensor1D;
        const loss = preferenceLoss(
          { policyChosen: f.chosen, policyRejected: f.rejected, refChosen: tf.tensor1d(refC), refRejected: tf.tensor1d(refR), chosenNll: nll },
          { type: s.loss, beta: s.beta, rpoAlpha: s.rpoAlpha },
        );
        // Micro-batch means weighted by their share of the step's pairs: the step optimizes the mean over all its pairs.
        return tf.mul(loss, idx.length / stepPairs) as tf.Scalar;
      }, lr, o.maxGradNorm);
      step++;
      if (!Number.isFinite(r.loss) || !Number.isFinite(r.gradNorm)) {
        throw CrucibleError.at('CRUCIBLE_E_TRAIN', {
          file: existsSync(ckptDir) ? ckptDir : undefined,
          message: `DPO ${Number.isFinite(r.loss) ? 'gradient norm' : 'loss'} became ${Number.isFinite(r.loss) ? r.gradNorm : r.loss} at step ${step} (epoch ${epoch + 1}); training stopped, the last good checkpoint is kept${existsSync(ckptDir) ? '' : ' (none was written yet)'}`,
          hint: 'lower lr or beta, or set maxGradNorm',
        });
      }
      tokens += positions;
      tokensThisRun += positions;
      windowTokens += positions;
      const values: Sums = { loss: r.loss, grad_norm: r.gradNorm, ...rewardStats(s.beta, pc, pr, rc, rr) };
      for (const k of KEYS) {
        windowSums[k] = (windowSums[k] ?? 0) + values[k];
        epochSums[k] = (epochSums[k] ?? 0) + values[k];
      }
      windowSums.n = (windowSums.n ?? 0) + 1;
      epochSums.n = (epochSums.n ?? 0) + 1;
      ctx.progress.tick();

      const epochEnd = step % stepsPerEpoch === 0;
      if (step % o.logEvery === 0 || epochEnd) {
        const n = windowSums.n;
        const secs = (Date.now() - windowStart) / 1000;
        const m: Sums = Object.fromEntries(KEYS.map((k) => [k, windowSums[k] / n]));
        m.learning_rate = lr;
        m.epoch = step / stepsPerEpoch;
        m['tokens/s'] = windowTokens / Math.max(secs, 1e-6);
        ctx.events.metric(`${o.metricPrefix ?? ''}train`, m, step);
        for (const k of ['loss', 'rewards/accuracies', 'rewards/margins', 'grad_norm', 'learning_rate']) point(`train/${k}`, step, m[k]);
        ctx.progress.status(`epoch ${epoch + 1}/${s.epochs} step ${step}/${total} loss ${m.loss.toFixed(4)} acc ${m['rewards/accuracies'].toFixed(2)}`);
        windowSums = {};
        windowTokens = 0;
        windowStart = Date.now();
      }

      if (epochEnd) {
        const val = await validate(decoder, data.val, data.valRef, s, o.batchSize * 2, o.padId);
        const n = epochSums.n;
        const rec: EpochRecord = { epoch: epoch + 1, step, ...(Object.fromEntries(KEYS.map((k) => [k, epochSums[k] / n])) as Pick<EpochRecord, 'loss' | 'grad_norm'>), numTensors: 0, seconds: (Date.now() - epochStart) / 1000 };
        if (val) {
          rec['val/loss'] = val.loss;
          rec['val/rewards/accuracies'] = val['rewards/accuracies'];
          rec['val/rewards/margins'] = val['rewards/margins'];
          point('val/loss', step, val.loss);
          point('val/rewards/accuracies', step, val['rewards/accuracies']);
          point('val/rewards/margins', step, val['rewards/margins']);
        }
        point('epoch/loss', step, rec.loss);
        point('epoch/rewards/accuracies', step, rec['rewards/accuracies'] ?? 0);
        // Epoch checkpoint: a loadable model folder (or the adapter alone with LoRA).
        const epochDir = join(dir, `checkpoint_epoch_${epoch + 1}`);
        if (o.lora) saveAdapter(epochDir, decoder, o.lora, save.source);
        else saveFolder(epochDir, decoder, { tokenizerFrom: save.tokenizerFrom, rawConfig: save.rawConfig, metadata: { crucible: 'dpo', epoch: String(epoch + 1) } });
        rec.numTensors = tf.memory().numTensors;
        epochs.push(rec);
        const { epoch: _e, step: _s, ...metricValues } = rec;
        ctx.events.metric(`${o.metricPrefix ?? ''}epoch`, { epoch: epoch + 1, ...metricValues }, step);
        ctx.logger.info({ ...rec }, `dpo epoch ${epoch + 1}/${s.epochs}: loss ${rec.loss.toFixed(4)} acc ${(rec['rewards/accuracies'] ?? 0).toFixed(3)}${val ? ` val loss ${val.loss.toFixed(4)} val acc ${val['rewards/accuracies'].toFixed(3)}` : ''} (${rec.seconds.toFixed(1)} s, ${rec.numTensors} tensors)`);
        epochSums = {};
        epochStart = Date.now();
        saveCheckpoint(ckptDir, vars, opt, state());
      } else if (o.checkpointEvery > 0 && step % o.checkpointEvery === 0) {
        saveCheckpoint(ckptDir, vars, opt, state());
      }
      // Let timers, signals and the progress reporter run between steps.
      await new Promise((res) => setImmediate(res));
    }

    const seconds = (Date.now() - started) / 1000;
    const finalDir = join(dir, 'final_model');
    rmSync(finalDir, { recursive: true, force: true });
    let adapterDir: string | undefined;
    if (o.lora) {
      adapterDir = join(finalDir, 'adapter');
      saveAdapter(adapterDir, decoder, o.lora, save.source);
      mergeLora(decoder);
    }
    saveFolder(finalDir, decoder, { tokenizerFrom: save.tokenizerFrom, rawConfig: save.rawConfig, metadata: { crucible: 'dpo', steps: String(total) } });
    const result: RunResult = { finalDir, adapterDir, steps: total, epochs, curves, resumedAt: resumed?.step, tokens, seconds, tokensPerSec: tokensThisRun / Math.max(seconds, 1e-6) };
    writeJsonAtomic(resultFile, { ...result, fingerprint });
    // The resume state (weights + optimizer moments, ~3x the model) is no longer needed; epoch checkpoints stay.
    rmSync(ckptDir, { recursive: true, force: true });
    return result;
  } finally {
    opt.dispose();
  }
}
