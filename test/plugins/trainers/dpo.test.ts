import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
// The tiny model is written before any trainer picks a backend: register one so this file runs on its own too.
import '@tensorflow/tfjs-backend-cpu';
import { createTestContext, instantiate, type TestContext } from '../../../core/testing/index.js';
import type { Trainer, TrainResult } from '../../../core/kernel/contract/kinds.js';
import type { PreferencePair } from '../../../core/kernel/contract/data.js';
import dpo from '../../../plugins/trainers/dpo/index.js';
import { readSafetensors } from '../../../plugins/lm/safetensors.js';
import { tmp, writeTinyModel } from '../lm/helpers.js';
import { loadFolder, loadTokenizer } from '../../../plugins/lm/index.js';
import { pairForward } from '../../../plugins/trainers/dpo/batch.js';
import { tokenizePairs } from '../../../plugins/trainers/dpo/data.js';
import { epochOrder } from '../../../plugins/trainers/dpo/order.js';

// A fixed toy preference set: "+ k" is preferred over "- k" after the same prompt.
const pairs = (n: number, offset = 0): PreferencePair[] =>
  Array.from({ length: n }, (_, i) => ({ prompt: `def f${(i + offset) % 7}(x):\n`, chosen: `    return x + ${(i + offset) % 7}\n`, rejected: `    return x - ${(i + offset) % 7}\n`, problemId: `p${i}` }));

const base = { model: 'base', backend: 'auto' as const, logEvery: 1, warmupRatio: 0, maxLength: 64 };

async function trainer(config: Record<string, unknown>, ctx: TestContext): Promise<Trainer> {
  return instantiate<Trainer>(dpo as never, config, ctx);
}

function setup(): string {
  const dir = tmp('crucible-dpo-');
  writeTinyModel(join(dir, 'base'), {}, 3);
  return dir;
}

/** Aborts the context once a train metric for `step` arrives (a kill between steps), or runs `fn` there. */
function onStep(ctx: TestContext, step: number, fn: () => void): TestContext {
  const metric = ctx.events.metric;
  (ctx.events as { metric: typeof metric }).metric = (name, values, s) => {
    metric(name, values, s);
    if (name === 'train' && s === step) fn();
  };
  return ctx;
}

test('the shared-prompt forward gives the same log-probs and gradients as full sequences', async () => {
  const dir = setup();
  const { decoder } = loadFolder(join(dir, 'base'));
  const tok = loadTokenizer(join(dir, 'base'));
  // Prompts of different lengths (one of a single token), completions of different lengths.
  const raw = [...pairs(3), { prompt: 'd', chosen: 'ef(x)', rejected: 'x' }, { prompt: 'def long_name(a, b):\n', chosen: '  return a\n', rejected: '  return b * 2 + a\n' }, { prompt: 'def long_name(a, b):\n', chosen: '  return b\n', rejected: '  pass\n' }];
  const tp = tokenizePairs(tok, raw, true);
  const run = (shared: boolean) => {
    const vars = decoder.trainableVariables();
    const out: { c: number[]; r: number[] } = { c: [], r: [] };
    const { value, grads } = tf.variableGrads(() => {
      const f = pairForward(decoder, tp, true, 0, shared);
      out.c = Array.from(f.chosen.dataSync());
      out.r = Array.from(f.rejected.dataSync());
      return tf.sub(tf.sum(f.chosen), tf.mul(tf.sum(f.rejected), 0.5)) as tf.Scalar;
    }, vars);
    const g = vars.map((v) => Array.from(grads[v.name].dataSync()));
    value.dispose();
    Object.values(grads).forEach((t) => t.dispose());
    return { ...out, g };
  };
  const a = run(true);
  const b = run(false);
  a.c.forEach((x, i) => assert.ok(Math.abs(x - b.c[i]) < 1e-3, `chosen ${i}: ${x} vs ${b.c[i]}`));
  a.r.forEach((x, i) => assert.ok(Math.abs(x - b.r[i]) < 1e-3, `rejected ${i}: ${x} vs ${b.r[i]}`));
  let worst = 0;
  a.g.forEach((g, k) => g.forEach((x, j) => { worst = Math.max(worst, Math.abs(x - b.g[k][j])); }));
  assert.ok(worst < 1e-3, `gradient difference ${worst}`);
  decoder.dispose();
});

test('by-prompt batch order: every pair once per epoch, same prompts together, replayable', () => {
  const tp = tokenizePairs({ encode: (t: string) => [...t].map((c) => c.charCodeAt(0)), eosIds: [0] } as never, [...pairs(14), ...pairs(7)], true);
  const a = epochOrder(tp, 4, 7, 1, 'by-prompt');
  assert.equal(a.flat().sort((x, y) => x - y), tp.map((_, i) => i));
  assert.equal(epochOrder(tp, 4, 7, 1, 'by-prompt'), a);
  assert.not.equal(epochOrder(tp, 4, 7, 2, 'by-prompt'), a);
  const prompts = a.map((b) => new Set(b.map((i) => tp[i].source.prompt)).size);
  assert.ok(prompts.reduce((x, y) => x + y, 0) / prompts.length < 2, `prompts per batch ${prompts}`);
});

test('a tiny model trained a few steps on a fixed batch raises rewards/accuracies and lowers the loss', async () => {
  const dir = setup();
  const ctx = createTestContext({ baseDir: dir });
  const r = await (await trainer({ ...base, lr: 3e-3, beta: 0.5, batchSize: 8, epochs: 8 }, ctx)).train({ pairs: pairs(8), validationPairs: pairs(4, 3) });
  const loss = r.curves!['train/loss'];
  const acc = r.curves!['train/rewards/accuracies'];
  assert.is(loss.length, 8);
  assert.ok(Math.abs(loss[0][1] - Math.log(2)) < 1e-3, `first loss ${loss[0][1]} should be ln 2 (policy = reference)`);
  assert.ok(loss.at(-1)![1] < loss[0][1] - 0.05, `loss ${loss[0][1]} -> ${loss.at(-1)![1]}`);
  assert.ok(acc.at(-1)![1] > acc[0][1], `accuracy ${acc[0][1]} -> ${acc.at(-1)![1]}`);
  assert.is(acc.at(-1)![1], 1);
  // TRL's names in the event stream, per step and per epoch; validation per epoch.
  const m = ctx.metrics.find((x) => x.name === 'train')!;
  for (const k of ['loss', 'rewards/chosen', 'rewards/rejected', 'rewards/accuracies', 'rewards/margins', 'logps/chosen', 'logps/rejected', 'grad_norm', 'learning_rate']) assert.ok(k in m.values, k);
  assert.ok(ctx.metrics.some((x) => x.name === 'epoch' && 'val/loss' in x.values && 'val/rewards/accuracies' in x.values));
  assert.is(r.curves!['val/loss'].length, 8);
  // Outputs.
  const stage = ctx.files.dir;
  for (const f of ['dpo_config.json', 'dpo_training_stats.json', 'final_model/config.json', 'final_model/model.safetensors', 'final_model/tokenizer.json', 'checkpoint_epoch_1/model.safetensors', 'checkpoint_epoch_8/model.safetensors']) assert.ok(existsSync(join(stage, f)), f);
  assert.is(r.model.path, join(stage, 'final_model'));
  assert.is(r.stats.pairs, 8);
  assert.ok((r.stats.promptTokensMean as number) > 0);
  // No tensor leak: the count is the same at every epoch end.
  const counts = r.stats.numTensorsPerEpoch as number[];
  assert.ok(counts.every((c) => c === counts[1]), `tensors per epoch ${counts}`);
});

test('IPO and hinge losses train too (loss falls on a fixed batch)', async () => {
  const dir = setup();
  for (const loss of ['ipo', 'hinge']) {
    const r = await (await trainer({ ...base, loss, lr: 3e-3, beta: 0.5, batchSize: 8, epochs: 5 }, createTestContext({ baseDir: dir }))).train({ pairs: pairs(8) });
    const curve = r.curves!['train/loss'];
    assert.ok(curve.at(-1)![1] < curve[0][1], `${loss}: ${curve[0][1]} -> ${curve.at(-1)![1]}`);
  }
});

test('resume after a kill gives the same final weights and metrics as an uninterrupted run', async () => {
  const dir = setup();
  // Logged every 3 steps: the kill falls inside a logging window, which the checkpoint must carry too.
  const cfg = { ...base, lr: 2e-3, batchSize: 2, epochs: 3, checkpointEvery: 5, logEvery: 3 };
  const input = { pairs: pairs(8), validationPairs: pairs(3, 2) };
  const full = await (await trainer(cfg, createTestContext({ baseDir: dir }))).train(input);

  const stage = tmp('crucible-dpo-stage-');
  const ctx1 = createTestContext({ baseDir: dir, dir: stage });
  onStep(ctx1, 6, () => ctx1.abort()); // killed after step 6; the last checkpoint is step 5 (mid epoch 2, mid logging window)
  try {
    await (await trainer(cfg, ctx1)).train(input);
    assert.unreachable('should have been cancelled');
  } catch (e) {
    assert.is((e as { code?: string }).code, 'CRUCIBLE_E_CANCELLED');
  }
  const resumed = await (await trainer(cfg, createTestContext({ baseDir: dir, dir: stage }))).train(input);
  assert.is(resumed.stats.resumedAt, 5);
  const weights = (r: TrainResult) => readFileSync(join(r.model.path, 'model.safetensors'));
  assert.ok(weights(resumed).equals(weights(full)), 'final weights differ');
  assert.equal(resumed.curves, full.curves);
  assert.equal(resumed.stats['val/rewards/accuracies'], full.stats['val/rewards/accuracies']);
});

test('a NaN loss stops training with an error naming the step and keeps the last good checkpoint', async () => {
  const dir = setup();
  const ctx = createTestContext({ baseDir: dir });
  // Weights blow up after step 3 (the checkpoint of step 2 is already on disk).
  onStep(ctx, 3, () => {
    for (const v of Object.values(tf.engine().state.registeredVariables)) if (v.trainable) v.assign(tf.fill(v.shape, NaN));
  });
  try {
    await (await trainer({ ...base, lr: 1e-3, batchSize: 2, epochs: 2, checkpointEvery: 2 }, ctx)).train({ pairs: pairs(8) });
    assert.unreachable('should have failed');
  } catch (e) {
    const err = e as { code?: string; message: string };
    assert.is(err.code, 'CRUCIBLE_E_TRAIN');
    assert.match(err.message, /loss became NaN at step 4/);
    assert.match(err.message, /last good checkpoint is kept/);
  }
  const ckpt = join(ctx.files.dir, 'checkpoint');
  assert.is(JSON.parse(readFileSync(join(ckpt, 'loop.json'), 'utf8')).step, 2);
  const { tensors } = readSafetensors(join(ckpt, 'checkpoint.safetensors'));
  for (const t of tensors.values()) assert.ok(t.data.every((x) => Number.isFinite(x)), 'checkpoint holds non-finite values');
  assert.not.ok(existsSync(join(ctx.files.dir, 'final_model')));
});

test('reference log-probs come from the cache on a rerun (one reference pass for two runs)', async () => {
  const dir = setup();
  const first = createTestContext({ baseDir: dir });
  const cfg = { ...base, lr: 1e-3, batchSize: 4, epochs: 1 };
  const a = await (await trainer(cfg, first)).train({ pairs: pairs(8), validationPairs: pairs(2, 1) });
  // A new run (new stage folder) sharing the persistent cache.
  const second = { ...createTestContext({ baseDir: dir }), cache: first.cache } as TestContext;
  const b = await (await trainer(cfg, second)).train({ pairs: pairs(8), validationPairs: pairs(2, 1) });
  assert.is(a.stats.referenceCached, false);
  assert.is(b.stats.referenceCached, true);
  assert.equal(b.curves, a.curves);
  // Other data (or another model) is another key: computed again.
  const third = { ...createTestContext({ baseDir: dir }), cache: first.cache } as TestContext;
  const c = await (await trainer(cfg, third)).train({ pairs: pairs(6) });
  assert.is(c.stats.referenceCached, false);
});

test('an external JSONL with a bad line fails with an input error naming the line', async () => {
  const dir = setup();
  const rows = pairs(3).map((p) => JSON.stringify({ prompt: p.prompt, chosen: p.chosen, rejected: p.rejected }));
  rows.splice(2, 0, JSON.stringify({ prompt: 'x', chosen: 'y' }));
  writeFileSync(join(dir, 'prefs.jsonl'), rows.join('\n') + '\n');
  try {
    await (await trainer({ ...base, data: 'prefs.jsonl' }, createTestContext({ baseDir: dir }))).train({});
    assert.unreachable();
  } catch (e) {
    const err = e as { code?: string; message: string; issues: Array<{ line?: number; file?: string }> };
    assert.is(err.code, 'CRUCIBLE_E_INPUT');
    assert.is(err.issues[0].line, 3);
    assert.match(err.message, /prefs\.jsonl:3/);
    assert.match(err.message, /"rejected" must be a string/);
  }
});

test('external JSONL pairs train; over-long pairs are dropped and counted', async () => {
  const dir = setup();
  const rows = [...pairs(6), { prompt: 'def long(x):\n', chosen: `    return ${'x + '.repeat(30)}1\n`, rejected: '    return 0\n' }];
  writeFileSync(join(dir, 'prefs.jsonl'), rows.map((p) => JSON.stringify(p)).join('\n') + '\n');
  const r = await (await trainer({ ...base, data: 'prefs.jsonl', lengthPolicy: 'drop', maxLength: 40, batchSize: 4, lr: 1e-3 }, createTestContext({ baseDir: dir }))).train({});
  assert.is(r.stats.pairs, 6);
  assert.is(r.stats.dropped, 1);
});

test('LoRA writes a PEFT adapter and a merged model folder', async () => {
  const dir = setup();
  const r = await (await trainer({ ...base, lr: 1e-2, batchSize: 4, epochs: 1, lora: { r: 4, alpha: 8 } }, createTestContext({ baseDir: dir }))).train({ pairs: pairs(8) });
  assert.ok(r.model.adapterPath);
  assert.ok(existsSync(join(r.model.adapterPath!, 'adapter_config.json')));
  assert.ok(existsSync(join(r.model.adapterPath!, 'adapter_model.safetensors')));
  assert.ok(existsSync(join(r.model.path, 'model.safetensors')));
  const merged = readFileSync(join(r.model.path, 'model.safetensors'));
  assert.not.ok(merged.equals(readFileSync(join(dir, 'base', 'model.safetensors'))), 'merged weights equal the base');
});

test('a grid is selected on validation reward accuracy; only the chosen setting is returned', async () => {
  const dir = setup();
  const ctx = createTestContext({ baseDir: dir });
  const r = await (await trainer({ ...base, batchSize: 8, epochs: 3, beta: 0.5, grid: { lr: [1e-6, 3e-3] } }, ctx)).train({ pairs: pairs(8), validationPairs: pairs(6, 2) });
  const grid = r.stats.grid as Array<{ lr: number; chosen: boolean; 'val/rewards/accuracies': number }>;
  assert.is(grid.length, 2);
  assert.is(grid.filter((g) => g.chosen).length, 1);
  assert.is(grid.find((g) => g.chosen)!.lr, 3e-3);
  assert.is(r.stats.lr, 3e-3);
  assert.is(r.model.path, join(ctx.files.dir, 'final_model'));
  assert.ok(existsSync(join(ctx.files.dir, 'grid', '01-beta0.5-lr0.003-ep3', 'final_model', 'model.safetensors')));
});

test('val-pass@1 selection samples validation problems with the generator over each candidate', async () => {
  const dir = setup();
  const seen: string[] = [];
  const problems = [{ id: 'v1', prompt: 'def f(x):\n', entryPoint: 'f', tests: [], language: 'python' as const, meta: {} }];
  // A stand-in generator/executor: the candidate trained with lr 1e-6 "passes" more often.
  const gen = (path?: string) => ({
    info: () => ({ model: path ?? 'base', promptFormat: 'completion:raw' }),
    async *generate(ps: typeof problems, o?: { n?: number }) {
      for (const p of ps) yield { problem: p, candidates: Array.from({ length: o?.n ?? 1 }, (_, i) => ({ id: `${path}-${i}`, problemId: p.id, index: i, prompt: p.prompt, completion: '', code: '', meta: { path } })) };
    },
    withModel: async (m: { path: string }) => { seen.push(m.path); return gen(m.path); },
  });
  const executor = {
    execute: async (_p: unknown, cands: Array<{ id: string; problemId: string; index: number; meta?: Record<string, unknown> }>) =>
      cands.map((c) => ({ candidateId: c.id, problemId: c.problemId, status: (String(c.meta?.path).includes('lr0.000001') ? c.index < 3 : c.index < 1) ? 'SUCCESS' as const : 'WRONG_OUTPUT' as const, passed: 0, total: 1, passRate: 0, tests: [], durationMs: 0 })),
  };
  const r = await (await trainer({ ...base, batchSize: 8, epochs: 1, grid: { lr: [1e-3, 1e-6] }, selectBy: 'val-pass@1', selection: { n: 4, seeds: [1, 2] } }, createTestContext({ baseDir: dir }))).train({ pairs: pairs(8), validationProblems: problems, generator: gen() as never, executor: executor as never });
  assert.is(seen.length, 2);
  assert.is(r.stats.lr, 1e-6);
  assert.is(r.stats['val/pass@1 chosen'], 0.75);
  assert.is(r.stats['val/pass@1 base'], 0.25);
});

test.run();
