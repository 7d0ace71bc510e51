// sft: next-token training on completions only (prompt tokens masked) with AdamW, warmup + cosine,
// global-norm clipping, gradient accumulation and seeded length-bucketed batches, run by the shared
// training loop (checkpoints a killed run resumes from mid-epoch, validation loss per epoch). Starts from a model folder or a fresh config;
// writes a Hugging Face model folder (plus a PEFT adapter when `lora` is set).
import { mkdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { definePlugin } from 'crucible-ml';
import type { PluginContext } from 'crucible-ml';
import type { TrainInput, TrainResult } from 'crucible-ml';
import { CrucibleError } from 'crucible-ml';
import { hashJson } from 'crucible-ml/util';
import { runTrainingLoop, trainerOutput } from 'crucible-ml/training';
import { backendFor, ensureBackend, recordBackend } from '../../lm/backend.js';
import { createDecoder, loadFolder, saveFolder } from '../../lm/folder.js';
import { attachLora, mergeLora, saveAdapter, type LoraConfig } from '../../lm/lora.js';
import type { Decoder } from '../../lm/model.js';
import { loadTokenizer, type TextTokenizer } from '../../lm/tokenizer.js';
import { completionNll, makeBatch, type SeqBatch, type SeqExample } from '../../lm/train/batch.js';
import { tensorState } from '../../lm/train/checkpoint.js';
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
      hiddenSize: i.hiddenSize,
      numLayers: i.layers,
      numHeads: i.heads,
      numKvHeads: i.kvHeads ?? i.heads,
      intermediateSize: i.intermediateSize,
      ropeTheta: i.ropeTheta,
      maxPositions: i.maxPositions,
      tieWordEmbeddings: i.tieWordEmbeddings,
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

/** Mean completion NLL per target token over `data`, no gradients. */
function validationNll(decoder: Decoder, data: SeqExample[], batchSize: number, padId: number): number {
  let nll = 0;
  let count = 0;
  for (let i = 0; i < data.length; i += batchSize) {
    const b = makeBatch(data.slice(i, i + batchSize), padId);
    const v = completionNll(decoder, b, false);
    nll += v.dataSync()[0];
    v.dispose();
    count += b.tokens;
  }
  return nll / Math.max(1, count);
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
    if (config.usePairs) text.push(...pairsToText(input.pairs));
    const passing = config.samples === 'passing';
    if (passing) text.push(...passingSamples(input.samples));
    const maxLength = config.maxLength;
    const examples = tokenize(tokenizer, text, { maxLength, appendEos: config.appendEos });
    if (examples.length === 0) {
      throw CrucibleError.at('CRUCIBLE_E_TRAIN', { path: 'stages.trainer.config.data', message: 'no training examples', hint: 'set `data` to a JSONL of {prompt, completion} or feed preference pairs' });
    }
    const validation = tokenize(tokenizer, [...pairsToText(input.validationPairs), ...(passing ? passingSamples(input.validationSamples) : [])], { maxLength, appendEos: config.appendEos });

    const lora: LoraConfig | undefined = config.lora
      ? { r: config.lora.r, alpha: config.lora.alpha, dropout: config.lora.dropout, targetModules: [...config.lora.targetModules] }
      : undefined;
    if (lora) attachLora(decoder, lora, seed);
    const vars = decoder.trainableVariables();
    const opt = new AdamW(vars, decayMask(vars), { beta1: config.beta1, beta2: config.beta2, weightDecay: config.weightDecay });

    const batchSize = config.batchSize;
    const accum = config.gradAccum;
    const lengths = examples.map((e) => e.prompt.length + e.completion.length);
    const clip = config.clip;
    const padId = tokenizer.padId ?? 0;
    ctx.logger.info({ backend, examples: examples.length, batchSize, accum, params: vars.reduce((n, v) => n + v.size, 0) }, 'sft: training');

    const run = await runTrainingLoop<SeqExample[][]>({
      name: 'sft',
      dir: ctx.files.dir,
      fingerprint: { cfg: config, source: start.source, n: examples.length, lengths: hashJson(lengths), seed },
      seed,
      epochs: config.epochs,
      maxSteps: config.maxSteps,
      // An optimizer step = `accum` micro-batches of one epoch's seeded, length-bucketed order.
      batches: (epoch) => {
        const micro = epochBatches(lengths, batchSize, seed, epoch).map((b) => b.map((i) => examples[i]));
        return Array.from({ length: Math.ceil(micro.length / accum) }, (_, k) => micro.slice(k * accum, (k + 1) * accum));
      },
      learningRate: (step, total) => warmupCosine(step, { peak: config.lr, warmup: Math.min(config.warmupSteps, Math.floor(total / 2)), total, minRatio: config.minLrRatio }),
      step: (micro, info) => {
        decoder.seedDropout(info.seed);
        const batches: SeqBatch[] = micro.map((m) => makeBatch(m, padId));
        const targets = batches.reduce((n, b) => n + b.tokens, 0);
        const r = accumulateAndStep(opt, batches.length, (i) => tf.div(completionNll(decoder, batches[i], true), Math.max(1, targets)) as tf.Scalar, info.lr, clip);
        return { loss: r.loss, gradNorm: r.gradNorm, tokens: batches.reduce((n, b) => n + b.positions, 0) };
      },
      evaluate: validation.length ? () => ({ loss: validationNll(decoder, validation, batchSize, padId) }) : undefined,
      state: tensorState(vars, opt),
      checkpointEvery: config.checkpointEvery,
      logEvery: config.logEvery,
      ctx,
    });
    opt.dispose();
    const finalLoss = run.curves['train/loss']?.at(-1)?.[1];
    const stats: Record<string, unknown> = { backend, examples: examples.length, steps: run.steps, resumedAt: run.resumedAt, tokens: run.tokens, seconds: run.seconds, tokensPerSec: run.tokensPerSec, finalLoss, validationLoss: run.validation?.loss };

    const out = trainerOutput(ctx, config.output, 'model');
    mkdirSync(out, { recursive: true });
    let adapterPath: string | undefined;
    if (lora) {
      adapterPath = join(out, 'adapter');
      saveAdapter(adapterPath, decoder, lora, start.source);
      mergeLora(decoder);
    }
    saveFolder(out, decoder, { tokenizerFrom: start.tokenizerDir, rawConfig: start.rawConfig, metadata: { crucible: 'sft', steps: String(run.steps) } });
    const metrics = Object.fromEntries(Object.entries({ 'train/loss': finalLoss, 'val/loss': run.validation?.loss }).filter((e): e is [string, number] => typeof e[1] === 'number'));
    return { model: { kind: 'policy', path: out, ...(adapterPath ? { adapterPath } : {}), meta: stats }, stats, metrics, curves: run.curves };
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
