// The training loop every crucible trainer shares (the built-in sft, dpo and energy-verifier, and
// third-party trainers through `crucible-ml/training`): seeded data order per epoch, optimizer steps,
// metric windows, evaluation, early stopping with the best state kept, checkpoints, and a resume that
// continues at the exact step inside its epoch. It knows no tensor library: the trainer supplies the
// batches, one optimizer step, the evaluation, and how to save and restore its model + optimizer.
//
// Randomness is a pure function of (seed, epoch) for the data order and of (seed, step) for anything a
// step draws (dropout masks), so a resumed run replays exactly what an uninterrupted one would have done.
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { PluginContext } from '../kernel/contract/index.js';
import { CrucibleError } from '../kernel/errors.js';
import { deriveSeed, SeededRng } from '../util/rng.js';
import { writeJsonAtomic } from '../util/atomic.js';
import { hashJson } from '../util/hash.js';

/** A plain number is averaged over steps; `{sum, count}` pools counts (e.g. correct pairs / pairs). */
export type MetricValue = number | { sum: number; count: number };

export interface StepInfo {
  /** 0-based index of this optimizer step in the whole run. */
  step: number;
  /** 0-based epoch and position of the step inside it. */
  epoch: number;
  indexInEpoch: number;
  /** Steps the run plans (for learning-rate schedules). */
  totalSteps: number;
  /** The schedule's learning rate for this step (NaN without `learningRate`). */
  lr: number;
  /** A seed for whatever this step draws (dropout masks): a function of (run seed, step). */
  seed: number;
  rng: SeededRng;
}

export interface StepOutcome {
  loss: number;
  gradNorm?: number;
  /** Tokens processed, for tokens/s. */
  tokens?: number;
  metrics?: Record<string, MetricValue>;
}

/** The model and optimizer state a checkpoint holds (tensors, moments); the loop adds its own progress. */
export interface TrainingState {
  save(dir: string): void;
  load(dir: string): void;
}

export interface Selection {
  /** `val/<name>` (from `evaluate`) or `train/<name>` (the epoch's mean of a step metric, or `train/loss`). */
  metric: string;
  mode: 'max' | 'min';
  /** Evaluations without improvement before stopping; 0 = never stop early. */
  patience: number;
  /** Evaluate before the first step: the starting weights are a candidate too. */
  includeStart?: boolean;
  /** Keep the current weights as the best so far / put them back at the end. */
  saveBest(): void;
  restoreBest(): void;
}

export interface EpochRecord {
  /** 1-based; a run that ends inside an epoch records it with `partial`. */
  epoch: number;
  step: number;
  seconds: number;
  partial?: boolean;
  /** Means of the step metrics over the epoch, and the evaluation (`val/<name>`) at its end. */
  [metric: string]: number | boolean | undefined;
}

export type Curves = Record<string, Array<[number, number]>>;

export interface TrainingLoopOptions<B> {
  /** Short name for logs and progress: the trainer's name, or a sub-run's ("<trainer> grid/00-..."). */
  name: string;
  /** Folder of the resume checkpoint (`<dir>/checkpoint`). */
  dir: string;
  /** Identifies the setup (config, data, starting model): a checkpoint of another setup is not resumed. */
  fingerprint: unknown;
  seed: number;
  /** Epochs to run (a fraction runs part of the last one); ignored when `maxSteps` > 0. */
  epochs: number;
  /** Stop after exactly this many steps, chaining epochs as needed (0 or absent: `epochs` decide). */
  maxSteps?: number;
  /** The batches of one epoch's optimizer steps, a pure function of (seed, epoch). */
  batches(epoch: number): B[];
  step(batch: B, info: StepInfo): StepOutcome | Promise<StepOutcome>;
  learningRate?(step: number, totalSteps: number): number;
  /** Validation at each epoch end (and at the end of a run that stops inside an epoch). */
  evaluate?(at: { step: number; epoch: number }): Record<string, number> | undefined | Promise<Record<string, number> | undefined>;
  selection?: Selection;
  /** After an epoch's record and evaluation, before its checkpoint (e.g. save a loadable snapshot). */
  onEpochEnd?(record: EpochRecord): void | Promise<void>;
  state: TrainingState;
  /** Steps between mid-epoch checkpoints (every epoch end checkpoints); 0 = epoch ends only. */
  checkpointEvery: number;
  /** Steps between logged metric windows. */
  logEvery: number;
  /** Prefix of the event-stream metric names (grid candidates). */
  metricPrefix?: string;
  ctx: Pick<PluginContext, 'logger' | 'events' | 'progress' | 'throwIfCancelled'>;
}

export interface TrainingLoopResult {
  steps: number;
  totalSteps: number;
  epochs: EpochRecord[];
  curves: Curves;
  /** Step the run resumed at, and the epochs it had finished then (absent for a fresh start). */
  resumedAt?: number;
  resumedAtEpoch?: number;
  stoppedEarly: boolean;
  best?: { epoch: number; step: number; value: number };
  /** The last evaluation (after `restoreBest` when there is a selection, re-evaluated). */
  validation?: Record<string, number>;
  tokens: number;
  /** Wall-clock seconds of this process's part of the run. */
  seconds: number;
  tokensPerSec: number;
  checkpointDir: string;
}

type Sums = Record<string, { sum: number; count: number }>;

/** Everything the loop needs to continue after a kill; saved in `<checkpoint>/loop.json`. */
interface Progress {
  fingerprint: string;
  step: number;
  epoch: number;
  indexInEpoch: number;
  done: boolean;
  stoppedEarly: boolean;
  best?: { epoch: number; step: number; value: number };
  bad: number;
  window: Sums;
  epochSums: Sums;
  epochs: EpochRecord[];
  curves: Curves;
  tokens: number;
  validation?: Record<string, number>;
}

function add(sums: Sums, values: Record<string, MetricValue>): void {
  for (const [k, v] of Object.entries(values)) {
    const s = (sums[k] ??= { sum: 0, count: 0 });
    if (typeof v === 'number') {
      s.sum += v;
      s.count += 1;
    } else {
      s.sum += v.sum;
      s.count += v.count;
    }
  }
}

function means(sums: Sums): Record<string, number> {
  return Object.fromEntries(Object.entries(sums).map(([k, s]) => [k, s.count ? s.sum / s.count : Number.NaN]));
}

const LOOP_FILE = 'loop.json';

function readProgress(ckptDir: string, fingerprint: string): Progress | undefined {
  const file = join(ckptDir, LOOP_FILE);
  if (!existsSync(file)) return undefined;
  const p = JSON.parse(readFileSync(file, 'utf8')) as Progress;
  return p.fingerprint === fingerprint ? p : undefined;
}

/** Written to a temporary folder, then renamed: a kill mid-write leaves the previous checkpoint whole. */
function writeCheckpoint(ckptDir: string, state: TrainingState, p: Progress): void {
  const tmp = `${ckptDir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  state.save(tmp);
  writeJsonAtomic(join(tmp, LOOP_FILE), p);
  rmSync(ckptDir, { recursive: true, force: true });
  renameSync(tmp, ckptDir);
}

function better(mode: 'max' | 'min', value: number, best: number | undefined): boolean {
  if (!Number.isFinite(value)) return false;
  if (best === undefined) return true;
  return mode === 'max' ? value > best : value < best;
}

export async function runTrainingLoop<B>(o: TrainingLoopOptions<B>): Promise<TrainingLoopResult> {
  const { ctx } = o;
  const fingerprint = hashJson(o.fingerprint);
  const ckptDir = join(o.dir, 'checkpoint');
  const prefix = o.metricPrefix ?? '';
  const byStep = (o.maxSteps ?? 0) > 0;
  let cached: { epoch: number; list: B[] } | undefined;
  const epochBatches = (epoch: number): B[] => {
    if (cached?.epoch !== epoch) cached = { epoch, list: o.batches(epoch) };
    return cached.list;
  };
  const firstLength = epochBatches(0).length;
  if (firstLength === 0) throw CrucibleError.at('CRUCIBLE_E_TRAIN', { message: `${o.name}: the first epoch has no batches`, hint: 'give the trainer data' });
  const totalSteps = byStep ? o.maxSteps! : Math.max(1, Math.ceil(o.epochs * firstLength));
  const fullEpochs = Math.floor(o.epochs);
  /** Steps of epoch `e` when `epochs` decide (the fractional last epoch runs its first share). */
  const stepsIn = (e: number, length: number) => (e < fullEpochs ? length : Math.ceil((o.epochs - fullEpochs) * length));

  const resumed = readProgress(ckptDir, fingerprint);
  const resumedAt = resumed?.step;
  const resumedAtEpoch = resumed?.epoch;
  if (resumed) o.state.load(ckptDir);
  const p: Progress = resumed ?? { fingerprint, step: 0, epoch: 0, indexInEpoch: 0, done: false, stoppedEarly: false, bad: 0, window: {}, epochSums: {}, epochs: [], curves: {}, tokens: 0 };
  if (resumed) ctx.logger.info({ step: p.step, epoch: p.epoch, indexInEpoch: p.indexInEpoch, done: p.done }, `${o.name}: resuming from the checkpoint at step ${p.step} (epoch ${p.epoch + 1}, step ${p.indexInEpoch} of it)`);
  const point = (name: string, x: number, y: number) => {
    if (Number.isFinite(y)) (p.curves[name] ??= []).push([x, y]);
  };
  const save = () => writeCheckpoint(ckptDir, o.state, p);
  const started = Date.now();
  let tokensHere = 0;
  let windowTokens = 0;
  let windowStart = Date.now();
  let epochStart = Date.now();

  const evaluate = async (epoch: number): Promise<Record<string, number> | undefined> => {
    const v = await o.evaluate?.({ step: p.step, epoch });
    if (!v) return undefined;
    p.validation = v;
    ctx.events.metric(`${prefix}validation`, v, p.step);
    for (const [k, x] of Object.entries(v)) point(`val/${k}`, p.step, x);
    return v;
  };
  /** Selection after an evaluation; returns true when training should stop. */
  const select = (epoch: number, values: Record<string, number>): boolean => {
    const s = o.selection;
    if (!s || !(s.metric in values)) return false;
    const value = values[s.metric];
    if (better(s.mode, value, p.best?.value)) {
      p.best = { epoch, step: p.step, value };
      p.bad = 0;
      s.saveBest();
      return false;
    }
    p.bad++;
    if (s.patience > 0 && p.bad >= s.patience) {
      ctx.logger.info({ best: p.best, bad: p.bad }, `${o.name}: early stop after ${p.bad} evaluations without a better ${s.metric}`);
      return true;
    }
    return false;
  };

  if (!resumed && o.selection?.includeStart && o.evaluate) {
    const v = await evaluate(0);
    if (v) {
      ctx.logger.info(v, `${o.name}: before training ${Object.entries(v).map(([k, x]) => `${k} ${x.toFixed(4)}`).join(' ')}`);
      select(0, Object.fromEntries(Object.entries(v).map(([k, x]) => [`val/${k}`, x])));
    }
  }

  const closeEpoch = async (partial: boolean) => {
    const train = means(p.epochSums);
    const record: EpochRecord = { epoch: p.epoch + 1, step: p.step, ...train, seconds: (Date.now() - epochStart) / 1000, ...(partial ? { partial: true } : {}) };
    const v = await evaluate(p.epoch + 1);
    for (const [k, x] of Object.entries(v ?? {})) record[`val/${k}`] = x;
    for (const [k, x] of Object.entries(train)) point(`epoch/${k}`, p.step, x);
    const scored = { ...Object.fromEntries(Object.entries(train).map(([k, x]) => [`train/${k}`, x])), ...Object.fromEntries(Object.entries(v ?? {}).map(([k, x]) => [`val/${k}`, x])) };
    if (select(p.epoch + 1, scored)) p.stoppedEarly = true;
    await o.onEpochEnd?.(record);
    p.epochs.push(record);
    const { epoch: _e, step: _s, partial: _p, ...values } = record;
    ctx.events.metric(`${prefix}epoch`, { epoch: record.epoch, ...(Object.fromEntries(Object.entries(values).filter(([, x]) => typeof x === 'number')) as Record<string, number>) }, p.step);
    ctx.logger.info({ ...record }, `${o.name} epoch ${record.epoch}${partial ? ' (partial)' : ''}: ${Object.entries(scored).map(([k, x]) => `${k} ${x.toFixed(4)}`).join(' ')} (${record.seconds.toFixed(1)} s)`);
    p.epochSums = {};
    epochStart = Date.now();
  };

  ctx.progress.start(totalSteps, o.name, Math.min(p.step, totalSteps));
  const finished = () => p.stoppedEarly || (byStep ? p.step >= totalSteps : p.epoch >= Math.ceil(o.epochs));
  while (!p.done && !finished()) {
    const list = epochBatches(p.epoch);
    const inThisEpoch = byStep ? list.length : stepsIn(p.epoch, list.length);
    while (p.indexInEpoch < inThisEpoch && !(byStep && p.step >= totalSteps)) {
      ctx.throwIfCancelled();
      const info: StepInfo = {
        step: p.step,
        epoch: p.epoch,
        indexInEpoch: p.indexInEpoch,
        totalSteps,
        lr: o.learningRate ? o.learningRate(p.step, totalSteps) : Number.NaN,
        seed: deriveSeed(o.seed, `step:${p.step}`),
        rng: new SeededRng(deriveSeed(o.seed, `step-rng:${p.step}`)),
      };
      const r = await o.step(list[p.indexInEpoch], info);
      p.step++;
      p.indexInEpoch++;
      const bad = !Number.isFinite(r.loss) ? `loss became ${r.loss}` : r.gradNorm !== undefined && !Number.isFinite(r.gradNorm) ? `gradient norm became ${r.gradNorm}` : undefined;
      if (bad) {
        const kept = existsSync(join(ckptDir, LOOP_FILE));
        throw CrucibleError.at('CRUCIBLE_E_TRAIN', {
          file: kept ? ckptDir : undefined,
          message: `${o.name}: ${bad} at step ${p.step} (epoch ${p.epoch + 1}); training stopped, the last good checkpoint is kept${kept ? '' : ' (none was written yet)'}`,
          hint: 'lower the learning rate, or clip the gradient norm',
        });
      }
      const values: Record<string, MetricValue> = { loss: r.loss, ...(r.gradNorm !== undefined ? { grad_norm: r.gradNorm } : {}), ...r.metrics };
      add(p.window, values);
      add(p.epochSums, values);
      p.tokens += r.tokens ?? 0;
      tokensHere += r.tokens ?? 0;
      windowTokens += r.tokens ?? 0;
      ctx.progress.tick();

      const epochEnd = p.indexInEpoch >= inThisEpoch;
      const last = byStep && p.step >= totalSteps;
      if (p.step % o.logEvery === 0 || epochEnd || last) {
        const m = means(p.window);
        if (o.learningRate) m.learning_rate = info.lr;
        m.epoch = p.epoch + p.indexInEpoch / list.length;
        const secs = (Date.now() - windowStart) / 1000;
        if (windowTokens > 0) m['tokens/s'] = windowTokens / Math.max(secs, 1e-6);
        ctx.events.metric(`${prefix}train`, m, p.step);
        for (const [k, x] of Object.entries(m)) if (k !== 'epoch' && k !== 'tokens/s') point(`train/${k}`, p.step, x);
        ctx.progress.status(`epoch ${p.epoch + 1} step ${p.step}/${totalSteps} loss ${m.loss.toFixed(4)}`);
        p.window = {};
        windowTokens = 0;
        windowStart = Date.now();
      }
      if (epochEnd || last) break;
      if (o.checkpointEvery > 0 && p.step % o.checkpointEvery === 0) save();
      // Let timers, signals and the progress reporter run between steps.
      await new Promise((done) => setImmediate(done));
    }
    const epochDone = p.indexInEpoch >= inThisEpoch;
    await closeEpoch(p.indexInEpoch < list.length);
    if (epochDone) {
      p.epoch++;
      p.indexInEpoch = 0;
    }
    p.done = finished() || !epochDone;
    save();
    await new Promise((done) => setImmediate(done));
  }

  let validation = p.validation;
  if (o.selection && p.best) {
    o.selection.restoreBest();
    // The returned weights are the best ones: report their evaluation, not the last epoch's.
    if (p.best.step !== p.step && o.evaluate) validation = (await o.evaluate({ step: p.best.step, epoch: p.best.epoch })) ?? validation;
  }
  const seconds = (Date.now() - started) / 1000;
  return {
    steps: p.step,
    totalSteps,
    epochs: p.epochs,
    curves: p.curves,
    resumedAt,
    resumedAtEpoch,
    stoppedEarly: p.stoppedEarly,
    best: p.best,
    validation,
    tokens: p.tokens,
    seconds,
    tokensPerSec: tokensHere / Math.max(seconds, 1e-6),
    checkpointDir: ckptDir,
  };
}
