// dpo: Direct Preference Optimization (sigmoid / IPO / hinge, optional RPO NLL term) of an in-process
// Llama-family model, full fine-tuning or LoRA. Reference log-probs are computed once from the
// starting weights and cached; an optional grid is selected on the validation split only.
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { definePlugin, type ConfigOf } from 'crucible-ml';
import type { PluginContext } from 'crucible-ml';
import type { PreferencePair } from 'crucible-ml';
import type { TrainInput, TrainResult } from 'crucible-ml';
import { CrucibleError } from 'crucible-ml';
import { writeJsonAtomic } from 'crucible-ml/util';
import { backendFor, ensureBackend, recordBackend } from '../../lm/backend.js';
import { loadFolder } from '../../lm/folder.js';
import { loadTokenizer } from '../../lm/tokenizer.js';
import { applyLengthPolicy, checkPairs, readPreferenceFile, tokenizePairs, type LengthReport } from './data.js';
import { modelHash, referenceLogps } from './reference.js';
import { configSchema } from './schema.js';
import { checkSelection, gridSettings, settingName, validationPassAt1, type PassAtOne } from './select.js';
import { trainRun, type EpochRecord, type RunOptions, type RunResult, type Setting } from './train-run.js';

type Config = ConfigOf<typeof configSchema>;

interface Candidate {
  name: string;
  setting: Setting;
  run: RunResult;
  score?: number;
  valPass1?: PassAtOne;
}

function policyPath(config: Config, input: TrainInput, ctx: PluginContext): string {
  if (config.model) return isAbsolute(config.model) ? config.model : resolve(ctx.baseDir, config.model);
  if (input.model?.kind === 'policy' && input.model.path) return resolve(input.model.path);
  throw CrucibleError.at('CRUCIBLE_E_TRAIN', { path: 'stages.trainer.config.model', message: 'dpo needs a starting policy', hint: 'set `model` (a model folder) or use a generator with a local model (tfjs-lm)' });
}

function gatherPairs(config: Config, input: TrainInput, ctx: PluginContext): PreferencePair[] {
  const pairs: PreferencePair[] = [];
  if (config.data) pairs.push(...readPreferenceFile(isAbsolute(config.data) ? config.data : resolve(ctx.baseDir, config.data)));
  if (config.usePairs) pairs.push(...checkPairs(input.pairs ?? [], 'pairs'));
  return pairs;
}

async function train(config: Config, input: TrainInput, ctx: PluginContext): Promise<TrainResult> {
  const backend = await ensureBackend(backendFor(config.backend, ctx.runtime));
  recordBackend(ctx.events, backend);
  const started = Date.now();
  const path = policyPath(config, input, ctx);
  const tokenizer = loadTokenizer(path);
  const padId = tokenizer.padId ?? tokenizer.eosIds[0] ?? 0;
  const appendEos = config.appendEos;
  const maxLength = config.maxLength;
  const policy = config.lengthPolicy;

  const rawTrain = gatherPairs(config, input, ctx);
  const t = applyLengthPolicy(tokenizePairs(tokenizer, rawTrain, appendEos), maxLength, policy);
  const v = applyLengthPolicy(tokenizePairs(tokenizer, checkPairs(input.validationPairs ?? [], 'validationPairs'), appendEos), maxLength, policy);
  if (t.pairs.length === 0) {
    throw CrucibleError.at('CRUCIBLE_E_TRAIN', { path: 'stages.trainer.config.data', message: `no preference pairs to train on (${rawTrain.length} given, ${t.report.dropped} dropped by the length policy)`, hint: 'check the pairing stage output, set `data`, or raise maxLength' });
  }
  const lengths: { train: LengthReport; validation: LengthReport } = { train: t.report, validation: v.report };
  ctx.events.record('dpo.lengths', lengths);
  ctx.logger.info({ train: t.report, validation: v.report }, `dpo: ${t.pairs.length} train pairs (${t.report.truncated} truncated, ${t.report.dropped} dropped), ${v.pairs.length} validation pairs`);

  const base: Setting = { loss: config.loss, beta: config.beta, lr: config.lr, epochs: config.epochs, rpoAlpha: config.rpoAlpha };
  const settings = gridSettings(base, config.grid);
  const selectBy = config.selectBy;
  const grid = settings.length > 1;
  checkSelection(selectBy, settings.length, { ...input, valPairs: v.pairs.length });

  // Reference pass: the starting weights score every pair once (cached across runs and grid candidates).
  const batchSize = config.batchSize;
  const modelKey = await modelHash(path);
  // The reference is the starting policy unless the run names another (rounds with reference "base").
  const refPath = input.referenceModel?.path ? resolve(input.referenceModel.path) : path;
  const refKey = refPath === path ? modelKey : await modelHash(refPath);
  const refPairs = t.pairs.length + v.pairs.length;
  // Between reference batches: progress, cancellation, and a turn of the event loop.
  const tick = async () => {
    ctx.progress.tick();
    ctx.throwIfCancelled();
    await new Promise<void>((r) => setImmediate(r));
  };
  const useCache = config.referenceCache ? ctx.cache : undefined;
  ctx.progress.start(Math.ceil(refPairs / (batchSize * 2)), 'dpo reference log-probs');
  const ref = await referenceLogps({ cache: useCache, modelKey: refKey, pairs: [...t.pairs, ...v.pairs], load: () => loadFolder(refPath).decoder, batchSize: batchSize * 2, padId, between: tick });
  const trainRef = { chosen: ref.chosen.slice(0, t.pairs.length), rejected: ref.rejected.slice(0, t.pairs.length) };
  const valRef = { chosen: ref.chosen.slice(t.pairs.length), rejected: ref.rejected.slice(t.pairs.length) };
  const reference = { cached: ref.cached, seconds: ref.seconds, tokensPerSec: ref.seconds > 0 ? ref.sequenceTokens / ref.seconds : undefined, modelHash: refKey.slice(0, 16), model: refPath === path ? 'starting policy' : refPath };
  ctx.events.record('dpo.reference', reference);
  ctx.logger.info(reference, ref.cached ? 'dpo: reference log-probs from the cache' : `dpo: reference log-probs computed in ${ref.seconds.toFixed(1)} s`);

  const lora = config.lora ? { r: config.lora.r, alpha: config.lora.alpha, dropout: config.lora.dropout, targetModules: [...config.lora.targetModules] } : undefined;
  const seed = config.seed ?? ctx.seed;
  const runOptions = (setting: Setting): RunOptions => ({
    setting,
    batchSize,
    batchOrder: config.batchOrder,
    gradAccumulation: config.gradAccumulation,
    warmupRatio: config.warmupRatio,
    minLrRatio: config.minLrRatio,
    weightDecay: config.weightDecay,
    maxGradNorm: config.maxGradNorm,
    beta1: config.beta1,
    beta2: config.beta2,
    seed,
    logEvery: config.logEvery,
    checkpointEvery: config.checkpointEvery,
    lora,
    padId,
  });
  const data = { train: t.pairs, trainRef, val: v.pairs, valRef };
  const sampling = { n: config.selection.n, temperature: config.selection.temperature, topP: config.selection.topP, seeds: [...(config.selection.seeds ?? [seed])] };

  const candidates: Candidate[] = [];
  let baseline: PassAtOne | undefined;
  if (selectBy === 'val-pass@1' && config.selection.baseline) {
    ctx.progress.status('dpo: validation pass@1 of the starting model');
    baseline = await validationPassAt1(input.generator!, undefined, input.executor!, input.validationProblems!, sampling, ctx);
    ctx.logger.info({ ...baseline }, `dpo: starting model validation pass@1 ${baseline.pass1.toFixed(4)}`);
  }
  for (const [i, setting] of settings.entries()) {
    const name = settingName(setting, i);
    const dir = grid ? ctx.files.path(join('grid', name)) : ctx.files.dir;
    const doneFile = join(dir, 'candidate.json');
    let c: Candidate;
    if (grid && existsSync(doneFile)) {
      c = JSON.parse(readFileSync(doneFile, 'utf8')) as Candidate; // finished before a resume
    } else {
      ctx.logger.info({ ...setting }, `dpo: training ${grid ? `candidate ${i + 1}/${settings.length} ` : ''}(beta ${setting.beta}, lr ${setting.lr}, ${setting.epochs} epochs)`);
      const { decoder, rawConfig } = loadFolder(path);
      let run: RunResult;
      try {
        run = await trainRun(decoder, data, { ...runOptions(setting), metricPrefix: grid ? `grid/${name}/` : undefined }, dir, ctx, { tokenizerFrom: path, rawConfig, source: path, modelKey });
      } finally {
        decoder.dispose();
      }
      c = { name, setting, run };
      // Scored on validation only; with one setting and val-pass@1 the score is still reported (vs the baseline).
      if (selectBy === 'val-pass@1') {
        ctx.progress.status(`dpo: validation pass@1 of ${name}`);
        c.valPass1 = await validationPassAt1(input.generator!, { kind: 'policy', path: run.finalDir }, input.executor!, input.validationProblems!, sampling, ctx);
        c.score = c.valPass1.pass1;
        ctx.logger.info({ ...c.valPass1 }, `dpo: ${name} validation pass@1 ${c.score.toFixed(4)}`);
      } else c.score = run.epochs.at(-1)?.['val/rewards/accuracies'];
      if (grid) writeJsonAtomic(doneFile, c);
    }
    candidates.push(c);
  }

  // The best validation score wins; ties go to the lower validation loss, then to the earlier candidate.
  const valLoss = (c: Candidate) => c.run.epochs.at(-1)?.['val/loss'] ?? Infinity;
  const chosen = grid ? candidates.reduce((best, c) => ((c.score ?? -Infinity) > (best.score ?? -Infinity) || ((c.score ?? -Infinity) === (best.score ?? -Infinity) && valLoss(c) < valLoss(best)) ? c : best)) : candidates[0];
  const finalDir = ctx.files.path('final_model');
  if (grid) {
    rmSync(finalDir, { recursive: true, force: true });
    cpSync(chosen.run.finalDir, finalDir, { recursive: true });
  }
  const adapterPath = chosen.run.adapterDir ? join(finalDir, 'adapter') : undefined;

  const gridTable = grid
    ? candidates.map((c) => {
        const last = c.run.epochs.at(-1);
        return { name: c.name, ...c.setting, chosen: c === chosen, 'val/loss': last?.['val/loss'], 'val/rewards/accuracies': last?.['val/rewards/accuracies'], 'train/rewards/accuracies': last?.['rewards/accuracies'], 'val/pass@1': c.valPass1?.pass1, 'val/pass@1 per seed': c.valPass1?.perSeed, seconds: c.run.seconds };
      })
    : undefined;
  const run = chosen.run;
  const last = run.epochs.at(-1);
  const stats: Record<string, unknown> = {
    backend,
    pairs: t.pairs.length,
    validationPairs: v.pairs.length,
    truncated: t.report.truncated,
    dropped: t.report.dropped,
    promptTokensMean: t.report.promptTokens.mean,
    completionTokensMean: t.report.completionTokens.mean,
    lengths,
    loss: chosen.setting.loss,
    beta: chosen.setting.beta,
    lr: chosen.setting.lr,
    epochs: chosen.setting.epochs,
    rpoAlpha: chosen.setting.rpoAlpha,
    lora: lora ? `r${lora.r}` : 'off',
    steps: run.steps,
    resumedAt: run.resumedAt,
    referenceCached: ref.cached,
    referenceSeconds: ref.seconds,
    trainSeconds: run.seconds,
    tokensPerSec: run.tokensPerSec,
    secondsPerEpoch: run.epochs.length ? run.epochs.reduce((a, e) => a + e.seconds, 0) / run.epochs.length : undefined,
    'train/loss': last?.loss,
    'train/rewards/accuracies': last?.['rewards/accuracies'],
    'val/loss': last?.['val/loss'],
    'val/rewards/accuracies': last?.['val/rewards/accuracies'],
    numTensorsPerEpoch: run.epochs.map((e) => e.numTensors),
    epochHistory: run.epochs,
    selectBy: grid ? selectBy : undefined,
    'val/pass@1 base': baseline?.pass1,
    'val/pass@1 chosen': chosen.valPass1?.pass1,
    valPass1PerSeed: baseline || chosen.valPass1 ? { base: baseline?.perSeed, chosen: chosen.valPass1?.perSeed, seeds: sampling.seeds, n: sampling.n } : undefined,
    grid: gridTable,
    seconds: (Date.now() - started) / 1000,
  };
  const resolvedConfig = { ...config, policy: path, chosen: chosen.setting, selectBy, grid: config.grid, seed, maxLength, lengthPolicy: policy, batchSize, lora };
  writeJsonAtomic(ctx.files.path('dpo_config.json'), resolvedConfig);
  writeJsonAtomic(ctx.files.path('dpo_training_stats.json'), { ...stats, curves: run.curves });
  if (grid) {
    for (const e of run.epochs) {
      const src = join(ctx.files.path(join('grid', chosen.name)), `checkpoint_epoch_${e.epoch}`);
      if (existsSync(src)) cpSync(src, ctx.files.path(`checkpoint_epoch_${e.epoch}`), { recursive: true });
    }
  }
  return { model: { kind: 'policy', path: finalDir, ...(adapterPath ? { adapterPath } : {}), meta: { trainer: 'dpo', ...chosen.setting } }, stats, metrics: reachedMetrics(last, chosen.setting.beta), curves: run.curves };
}

export default definePlugin({
  kind: 'trainer',
  name: 'dpo',
  version: '1.0.0',
  apiVersion: '^1',
  needs: ['pairs'],
  description: 'Direct Preference Optimization (sigmoid/IPO/hinge, RPO term) of an in-process Llama-family model; full or LoRA; cached reference log-probs; validation-only grid selection',
  configSchema,
  create(config, ctx) {
    return { train: (input: TrainInput) => train(config as Config, input, ctx) };
  },
});

/**
 * What training reached, most telling first (the rounds' table shows the first columns): the last epoch's TRL-style
 * numbers, and the policy's log-ratio drift from the reference (the implicit rewards are beta * log(pi/ref)).
 */
function reachedMetrics(last: EpochRecord | undefined, beta: number): Record<string, number> {
  if (!last) return {};
  const metrics: Record<string, number | undefined> = {
    'train/loss': last.loss,
    'val/rewards/accuracies': last['val/rewards/accuracies'],
    'rewards/margins': last['rewards/margins'],
    'logratio/chosen': last['rewards/chosen'] === undefined ? undefined : last['rewards/chosen'] / beta,
    'logratio/rejected': last['rewards/rejected'] === undefined ? undefined : last['rewards/rejected'] / beta,
    'val/loss': last['val/loss'],
    'train/rewards/accuracies': last['rewards/accuracies'],
    'val/rewards/margins': last['val/rewards/margins'],
    'logps/chosen': last['logps/chosen'],
    'logps/rejected': last['logps/rejected'],
    grad_norm: last.grad_norm,
  };
  return Object.fromEntries(Object.entries(metrics).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1])));
}
