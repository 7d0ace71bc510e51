// One DPO training run for one setting (beta, lr, epochs, ...) in its own folder: the DPO step (policy
// and reference log-probs, the preference loss, TRL-named reward statistics) inside the shared training
// loop (seeded order, validation per epoch, checkpoints a killed run resumes from mid-epoch).
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { PluginContext } from 'crucible-ml';
import { CrucibleError } from 'crucible-ml';
import { hashJson } from 'crucible-ml/util';
import { writeJsonAtomic } from 'crucible-ml/util';
import { runTrainingLoop, type Curves } from 'crucible-ml/training';
import { saveFolder } from '../../lm/folder.js';
import { attachLora, mergeLora, saveAdapter, type LoraConfig } from '../../lm/lora.js';
import type { Decoder } from '../../lm/model.js';
import { tensorState } from '../../lm/train/checkpoint.js';
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

export type { Curves };

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
    const fingerprint = hashJson({ o: { ...o, lora: o.lora ?? null, metricPrefix: null }, train: dataHash(data.train), model: save.modelKey });
    // Finished before (killed after the final save): nothing to redo.
    const resultFile = join(dir, 'run_result.json');
    if (existsSync(resultFile)) {
      const done = JSON.parse(readFileSync(resultFile, 'utf8')) as RunResult & { fingerprint?: string };
      if (done.fingerprint === fingerprint && existsSync(join(done.finalDir, 'model.safetensors'))) return done;
    }

    const run = await runTrainingLoop<number[][]>({
      name: `dpo ${dir.split('/').slice(-2).join('/')}`,
      dir,
      fingerprint,
      seed: o.seed,
      epochs: s.epochs,
      // An optimizer step = `gradAccumulation` micro-batches of the epoch's seeded order.
      batches: (epoch) => {
        const order = epochOrder(data.train, o.batchSize, o.seed, epoch, o.batchOrder);
        return Array.from({ length: Math.ceil(order.length / o.gradAccumulation) }, (_, k) => order.slice(k * o.gradAccumulation, (k + 1) * o.gradAccumulation));
      },
      learningRate: (step, total) => warmupCosine(step, { peak: s.lr, warmup: Math.round(total * o.warmupRatio), total, minRatio: o.minLrRatio }),
      step: (micro, info) => {
        decoder.seedDropout(info.seed);
        const stepPairs = micro.reduce((n, m) => n + m.length, 0);
        const pc: number[] = [];
        const pr: number[] = [];
        const rc: number[] = [];
        const rr: number[] = [];
        let tokens = 0;
        const r = accumulateAndStep(opt, micro.length, (i) => {
          const idx = micro[i];
          const f = pairForward(decoder, idx.map((k) => data.train[k]), true, o.padId);
          tokens += f.sequenceTokens;
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
        }, info.lr, o.maxGradNorm);
        return { loss: r.loss, gradNorm: r.gradNorm, tokens, metrics: { ...rewardStats(s.beta, pc, pr, rc, rr) } };
      },
      evaluate: data.val.length ? async () => ({ ...(await validate(decoder, data.val, data.valRef, s, o.batchSize * 2, o.padId))! }) : undefined,
      // Epoch checkpoint: a loadable model folder (or the adapter alone with LoRA).
      onEpochEnd: (rec) => {
        const epochDir = join(dir, `checkpoint_epoch_${rec.epoch}`);
        if (o.lora) saveAdapter(epochDir, decoder, o.lora, save.source);
        else saveFolder(epochDir, decoder, { tokenizerFrom: save.tokenizerFrom, rawConfig: save.rawConfig, metadata: { crucible: 'dpo', epoch: String(rec.epoch) } });
        rec.numTensors = tf.memory().numTensors;
      },
      state: tensorState(vars, opt),
      checkpointEvery: o.checkpointEvery,
      logEvery: o.logEvery,
      metricPrefix: o.metricPrefix,
      ctx,
    });

    const finalDir = join(dir, 'final_model');
    rmSync(finalDir, { recursive: true, force: true });
    let adapterDir: string | undefined;
    if (o.lora) {
      adapterDir = join(finalDir, 'adapter');
      saveAdapter(adapterDir, decoder, o.lora, save.source);
      mergeLora(decoder);
    }
    saveFolder(finalDir, decoder, { tokenizerFrom: save.tokenizerFrom, rawConfig: save.rawConfig, metadata: { crucible: 'dpo', steps: String(run.steps) } });
    const result: RunResult = { finalDir, adapterDir, steps: run.steps, epochs: run.epochs as unknown as EpochRecord[], curves: run.curves, resumedAt: run.resumedAt, tokens: run.tokens, seconds: run.seconds, tokensPerSec: run.tokensPerSec };
    writeJsonAtomic(resultFile, { ...result, fingerprint });
    // The resume state (weights + optimizer moments, ~3x the model) is no longer needed; epoch checkpoints stay.
    rmSync(run.checkpointDir, { recursive: true, force: true });
    return result;
  } finally {
    opt.dispose();
  }
}
