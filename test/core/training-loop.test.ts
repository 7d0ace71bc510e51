// The shared training loop on a toy model (one number fitted by steps of gradient descent on seeded
// batches): the epoch order and per-step seeds are replayed after a resume, fractional epochs and maxSteps
// decide the step count, early stopping keeps and restores the best state, and a NaN loss is a coded error.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createTestContext } from '../../core/testing/index.js';
import { runTrainingLoop, type TrainingLoopOptions } from '../../core/training/index.js';
import { SeededRng, deriveSeed } from '../../core/util/index.js';
import { tempDir } from '../helpers/kernel.js';

const data = Array.from({ length: 10 }, (_, i) => i);

/** w moves toward the mean of each batch; the "optimizer" keeps a momentum term that a resume must restore. */
function toy(dir: string, overrides: Partial<TrainingLoopOptions<number[]>> = {}, ctx = createTestContext({ seed: 5 })) {
  const model = { w: 0, momentum: 0, seeds: [] as number[] };
  const options: TrainingLoopOptions<number[]> = {
    name: 'toy',
    dir,
    fingerprint: { data },
    seed: 5,
    epochs: 2,
    batches: (epoch) => {
      const order = new SeededRng(deriveSeed(5, `toy:${epoch}`)).shuffle(data);
      return [order.slice(0, 3), order.slice(3, 6), order.slice(6, 9), order.slice(9)];
    },
    learningRate: (step, total) => 0.5 * (1 - step / total),
    step: (batch, info) => {
      model.seeds.push(info.seed);
      const target = batch.reduce((a, b) => a + b, 0) / batch.length;
      const grad = model.w - target;
      model.momentum = 0.9 * model.momentum + grad;
      model.w -= info.lr * model.momentum;
      return { loss: grad * grad, metrics: { hits: { sum: batch.filter((x) => x > 4).length, count: batch.length } } };
    },
    evaluate: () => ({ error: Math.abs(model.w - 4.5) }),
    state: {
      save: (d) => {
        mkdirSync(d, { recursive: true });
        writeFileSync(join(d, 'toy.json'), JSON.stringify({ w: model.w, momentum: model.momentum }));
      },
      load: (d) => Object.assign(model, JSON.parse(readFileSync(join(d, 'toy.json'), 'utf8'))),
    },
    checkpointEvery: 3,
    logEvery: 2,
    ctx,
    ...overrides,
  };
  return { model, options };
}

test('steps, epoch records, pooled metrics and evaluation per epoch', async () => {
  const { model, options } = toy(tempDir());
  const r = await runTrainingLoop(options);
  assert.is(r.steps, 8);
  assert.is(r.totalSteps, 8);
  assert.equal(r.epochs.map((e) => e.epoch), [1, 2]);
  // Pooled over the epoch's 10 items (5 of them > 4), not averaged over its 4 steps.
  assert.is(r.epochs[0].hits, 0.5);
  assert.ok(typeof r.epochs[1]['val/error'] === 'number');
  assert.is(r.validation!.error, Math.abs(model.w - 4.5));
  assert.is(new Set(model.seeds).size, 8);
});

test('a run cancelled mid-epoch resumes at its last checkpoint and ends as the uninterrupted run', async () => {
  const full = toy(tempDir());
  const a = await runTrainingLoop(full.options);

  const dir = tempDir();
  const ctx = createTestContext({ seed: 5 });
  const first = toy(dir, {}, ctx);
  const step = first.options.step;
  first.options.step = (b, info) => {
    if (info.step === 5) ctx.abort(); // step 6 runs, then the loop stops at the next step
    return step(b, info);
  };
  try {
    await runTrainingLoop(first.options);
    assert.unreachable('should have been cancelled');
  } catch (e) {
    assert.is((e as { code?: string }).code, 'CRUCIBLE_E_CANCELLED');
  }
  const second = toy(dir);
  const b = await runTrainingLoop(second.options);
  assert.is(b.resumedAt, 6); // the step-6 checkpoint: epoch 2, its second step
  assert.is(b.resumedAtEpoch, 1);
  assert.is(second.model.w, full.model.w);
  assert.equal(second.model.seeds, full.model.seeds.slice(6));
  assert.equal(b.curves, a.curves);
  assert.equal(b.epochs.map(({ seconds: _s, ...e }) => e), a.epochs.map(({ seconds: _s, ...e }) => e));
  // Run again once finished: nothing is retrained.
  const third = toy(dir);
  const c = await runTrainingLoop(third.options);
  assert.is(c.resumedAt, 8);
  assert.equal(third.model.seeds, []);
});

test('fractional epochs run part of the last epoch; maxSteps chains epochs', async () => {
  const half = toy(tempDir(), { epochs: 1.5 });
  const r = await runTrainingLoop(half.options);
  assert.is(r.steps, 6);
  assert.equal(r.epochs.map((e) => e.partial ?? false), [false, true]);
  const long = toy(tempDir(), { maxSteps: 10, epochs: 1 });
  const s = await runTrainingLoop(long.options);
  assert.is(s.steps, 10);
  assert.is(s.epochs.length, 3);
});

test('early stopping keeps the best evaluation and restores its state', async () => {
  let saved = Number.NaN;
  const run = toy(tempDir(), { epochs: 6 });
  // The "error" grows after the first epoch: the start and epoch 1 compete, then patience 2 stops at epoch 3.
  let epochs = 0;
  run.options.evaluate = ({ epoch }) => ({ error: epoch === 0 ? 3 : epoch === 1 ? 1 : 1 + (epochs = epoch) });
  run.options.selection = { metric: 'val/error', mode: 'min', patience: 2, includeStart: true, saveBest: () => (saved = run.model.w), restoreBest: () => (run.model.w = saved) };
  const r = await runTrainingLoop(run.options);
  assert.is(r.stoppedEarly, true);
  assert.is(r.epochs.length, 3);
  assert.equal(r.best, { epoch: 1, step: 4, value: 1 });
  assert.is(run.model.w, saved);
  assert.is(r.validation!.error, 1);
  assert.is(epochs, 3);
});

test('a non-finite loss is CRUCIBLE_E_TRAIN naming the step and the kept checkpoint', async () => {
  const run = toy(tempDir());
  const step = run.options.step;
  run.options.step = (b, info) => (info.step === 4 ? { loss: Number.NaN } : step(b, info));
  try {
    await runTrainingLoop(run.options);
    assert.unreachable('should have failed');
  } catch (e) {
    const err = e as { code?: string; message: string };
    assert.is(err.code, 'CRUCIBLE_E_TRAIN');
    assert.match(err.message, /loss became NaN at step 5 \(epoch 2\)/);
    assert.match(err.message, /last good checkpoint is kept/);
  }
});

test.run();
