// sft: next-token training on completions only (prompt tokens masked) with AdamW, warmup + cosine,
// global-norm clipping, gradient accumulation, seeded length-bucketed shuffling, checkpoints that a
// killed run resumes from, and tokens/s + loss metrics. Starts from a model folder or a fresh config;
// writes a Hugging Face model folder (plus a PEFT adapter when `lora` is set).
import { existsSync, mkdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { definePlugin } from 'crucible-ml';
import type { PluginContext } from 'crucible-ml';
import type { TrainInput, TrainResult } from 'crucible-ml';
import { CrucibleError } from 'crucible-ml';
import { hashJson } from 'crucible-ml/util';
import { backendFor, ensureBackend, recordBackend } from '../../lm/backend.js';
import { createDecoder, loadFolder, saveFolder } from '../../lm/folder.js';
import { attachLora, mergeLora, saveAdapter, type LoraConfig } from '../../lm/lora.js';
import type { Decoder } from '../../lm/model.js';
import { loadTokenizer, type TextTokenizer } from '../../lm/tokenizer.js';
import { completionNll, makeBatch, type SeqBatch, type SeqExample } from '../../lm/train/batch.js';
import { loadCheckpoint, saveCheckpoint } from '../../lm/train/checkpoint.js';
import { AdamW, decayMask, warmupCosine } from '../../lm/train/optim.js';
import { epochBatches } from '../../lm/train/order.js';
import { accumulateAndStep } from '../../lm/train/step.js';
import { pairsToText, passingSamples, readPairsFile, tokenize, type TextPair } from './data.js';
import { configSchema } from './schema.js';

type Config = Parameters<Parameters<typeof definePlugin<'trainer', typeof configSchema>>[0]['create']>[0];

interface Start {
  decoder: Decoder;
  tokenizer: TextTokenizer;
  tokenizerDir: string;
  rawConfig?: Record<string, unknown>;
  source: string;
}

function loadStart(config: Config, input: TrainInput, ctx: PluginContext, seed: number): Start {
  const at = (p: string) => (isAbsolute(p) ? p : resolve(ctx.baseDir, p));
  if (config.init) {
    const i = config.init;
    const tokenizerDir = at(i.tokenizer);
    const tokenizer = loadTokenizer(tokenizerDir);
    const decoder = createDecoder({
      vocabSize: tokenizer.vocabSize,
      hiddenSize: i.hiddenSize ?? 128,
      numLayers: i.layers ?? 4,
      numHeads: i.heads ?? 4,
      numKvHeads: i.kvHeads ?? i.heads ?? 4,
      intermediateSize: i.intermediateSize,
      ropeTheta: i.ropeTheta ?? 10000,
      maxPositions: i.maxPositions ?? 1024,
      tieWordEmbeddings: i.tieWordEmbeddings ?? true,
      eosTokenIds: tokenizer.eosIds,
      padTokenId: tokenizer.padId,
    }, seed);
    return { decoder, tokenizer, tokenizerDir, source: `init:${hashJson(i).slice(0, 12)}` };
  }
  const path = config.model ? at(config.model) : input.model?.path;
  if (!path) {
    throw CrucibleError.at('CRUCIBLE_E_TRAIN', { path: 'stages.trainer.config.model', message: 'sft needs a starting model', hint: 'set `model` (a model folder), `init` (a fresh model) or use a generator with a local model' });
  }
  const { decoder, rawConfig } = loadFolder(path);
  return { decoder, tokenizer: loadTokenizer(path), tokenizerDir: path, rawConfig, source: resolve(path) };
}

async function train(config: Config, input: TrainInput, ctx: PluginContext): Promise<TrainResult> {
  const backend = await ensureBackend(backendFor(config.backend, ctx.runtime));
  recordBackend(ctx.events, backend);
  const seed = config.seed ?? ctx.seed;
  const start = loadStart(config, input, ctx, seed);
  const { decoder, tokenizer } = start;
  try {
    const text: TextPair[] = [];
    if (config.data) text.push(...readPairsFile(isAbsolute(config.data) ? config.data : resolve(ctx.baseDir, config.data)));
    if (config.usePairs ?? true) text.push(...pairsToText(input.pairs));
    const passing = config.samples === 'passing';
    if (passing) text.push(...passingSamples(input.samples));
    const maxLength = config.maxLength ?? 256;
    const examples = tokenize(tokenizer, text, { maxLength, appendEos: config.appendEos ?? true });
    if (examples.length === 0) {
      throw CrucibleError.at('CRUCIBLE_E_TRAIN', { path: 'stages.trainer.config.data', message: 'no training examples', hint: 'set `data` to a JSONL of {prompt, completion} or feed preference pairs' });
    }
    const validation = tokenize(tokenizer, [...pairsToText(input.validationPairs), ...(passing ? passingSamples(input.validationSamples) : [])], { maxLength, appendEos: config.appendEos ?? true });

    const lora: LoraConfig | undefined = config.lora
      ? { r: config.lora.r ?? 8, alpha: config.lora.alpha ?? 16, dropout: config.lora.dropout ?? 0.05, targetModules: [...(config.lora.targetModules ?? ['q_proj', 'k_proj', 'v_proj', 'o_proj'])] }
      : undefined;
    if (lora) attachLora(decoder, lora, seed);
    const vars = decoder.trainableVariables();
    const opt = new AdamW(vars, decayMask(vars), { beta1: config.beta1 ?? 0.9, beta2: config.beta2 ?? 0.95, weightDecay: config.weightDecay ?? 0.01 });

    const batchSize = config.batchSize ?? 16;
    const accum = config.gradAccum ?? 1;
    const lengths = examples.map((e) => e.prompt.length + e.completion.length);
    const batchesPerEpoch = Math.ceil(examples.length / batchSize);
    const epochs = config.epochs ?? 1;
    const total = (config.maxSteps ?? 0) > 0 ? config.maxSteps! : Math.max(1, Math.ceil((epochs * batchesPerEpoch) / accum));
    const sched = { peak: config.lr ?? 1e-3, warmup: Math.min(config.warmupSteps ?? 20, Math.floor(total / 2)), total, minRatio: config.minLrRatio ?? 0.1 };
    const clip = config.clip ?? 1;
    const fingerprint = hashJson({ cfg: config, source: start.source, n: examples.length, lengths: hashJson(lengths), seed });

    const ckptDir = ctx.files.path('checkpoint');
    const resumed = loadCheckpoint(ckptDir, vars, opt, fingerprint);
    let step = resumed?.step ?? 0;
    if (resumed) ctx.logger.info({ step }, `sft: resuming from the checkpoint at step ${step}`);
    ctx.logger.info({ backend, examples: examples.length, steps: total, batchSize, accum, params: vars.reduce((n, v) => n + v.size, 0) }, 'sft: training');

    // Micro-batch k of the whole run (epochs chained), derived from (seed, epoch) only.
    const orders = new Map<number, number[][]>();
    const microBatch = (k: number): SeqExample[] => {
      const epoch = Math.floor(k / batchesPerEpoch);
      if (!orders.has(epoch)) {
        orders.clear();
        orders.set(epoch, epochBatches(lengths, batchSize, seed, epoch));
      }
      return orders.get(epoch)![k % batchesPerEpoch].map((i) => examples[i]);
    };

    const curve: Array<[number, number]> = [];
    const padId = tokenizer.padId ?? 0;
    let windowTokens = 0;
    let windowLoss = 0;
    let windowSteps = 0;
    let windowStart = Date.now();
    const trainStart = Date.now();
    let tokensSeen = 0;
    ctx.progress.start(total, 'sft', step);
    while (step < total) {
      ctx.throwIfCancelled();
      const batches: SeqBatch[] = Array.from({ length: accum }, (_, i) => makeBatch(microBatch(step * accum + i), padId));
      const targets = batches.reduce((n, b) => n + b.tokens, 0);
      const lr = warmupCosine(step, sched);
      const r = accumulateAndStep(opt, accum, (i) => tf.div(completionNll(decoder, batches[i], true), Math.max(1, targets)) as tf.Scalar, lr, clip);
      step++;
      const positions = batches.reduce((n, b) => n + b.positions, 0);
      tokensSeen += positions;
      windowTokens += positions;
      windowLoss += r.loss;
      windowSteps++;
      ctx.progress.tick();
      if (!Number.isFinite(r.loss)) throw CrucibleError.at('CRUCIBLE_E_TRAIN', { message: `loss became ${r.loss} at step ${step}`, hint: 'lower lr or enable clip' });
      if (step % (config.logEvery ?? 10) === 0 || step === total) {
        const secs = (Date.now() - windowStart) / 1000;
        const loss = windowLoss / windowSteps;
        const values = { loss, lr, gradNorm: r.gradNorm, tokensPerSec: windowTokens / Math.max(secs, 1e-6) };
        ctx.events.metric('train', values, step);
        ctx.logger.info({ step, ...values }, `sft step ${step}/${total} loss ${loss.toFixed(4)} ${values.tokensPerSec.toFixed(0)} tok/s`);
        ctx.progress.status(`step ${step}/${total} loss ${loss.toFixed(3)}`);
        curve.push([step, loss]);
        windowTokens = windowLoss = windowSteps = 0;
        windowStart = Date.now();
      }
      const every = config.checkpointEvery ?? 200;
      if (every > 0 && step % every === 0 && step < total) saveCheckpoint(ckptDir, vars, opt, { step, fingerprint });
      // Let timers, signals and the progress reporter run between steps.
      await new Promise((r2) => setImmediate(r2));
    }

    const stats: Record<string, unknown> = { backend, examples: examples.length, steps: total, resumedAt: resumed?.step, tokens: tokensSeen, seconds: (Date.now() - trainStart) / 1000, finalLoss: curve.at(-1)?.[1] };
    stats.tokensPerSec = tokensSeen / Math.max(1e-6, (Date.now() - trainStart) / 1000);
    if (validation.length) {
      let nll = 0;
      let count = 0;
      for (let i = 0; i < validation.length; i += batchSize) {
        const b = makeBatch(validation.slice(i, i + batchSize), padId);
        const v = completionNll(decoder, b, false);
        nll += v.dataSync()[0];
        v.dispose();
        count += b.tokens;
      }
      stats.validationLoss = nll / Math.max(1, count);
      ctx.events.metric('validation', { loss: stats.validationLoss as number }, step);
    }

    const out = config.output && isAbsolute(config.output) ? config.output : ctx.files.path(config.output ?? 'model');
    mkdirSync(out, { recursive: true });
    let adapterPath: string | undefined;
    if (lora) {
      adapterPath = join(out, 'adapter');
      saveAdapter(adapterPath, decoder, lora, start.source);
      mergeLora(decoder);
    }
    saveFolder(out, decoder, { tokenizerFrom: start.tokenizerDir, rawConfig: start.rawConfig, metadata: { crucible: 'sft', steps: String(total) } });
    opt.dispose();
    if (existsSync(ckptDir)) ctx.logger.debug({ ckptDir }, 'sft: checkpoint kept for inspection');
    return { model: { kind: 'policy', path: out, ...(adapterPath ? { adapterPath } : {}), meta: stats }, stats, curves: { 'train/loss': curve } };
  } finally {
    decoder.dispose();
  }
}

export default definePlugin({
  kind: 'trainer',
  name: 'sft',
  version: '1.0.0',
  apiVersion: '^1',
  description: 'supervised fine-tuning on completions (prompt masked) of an in-process Llama-family model; AdamW, warmup+cosine, checkpoints, optional LoRA',
  configSchema,
  create(config, ctx) {
    return { train: (input: TrainInput) => train(config as Config, input, ctx) };
  },
});
