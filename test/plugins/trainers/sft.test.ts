import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { createTestContext, instantiate } from '../../../core/testing/index.js';
import type { Trainer } from '../../../core/kernel/contract/kinds.js';
import sft from '../../../plugins/trainers/sft/index.js';
import { loadTextModel } from '../../../plugins/lm/index.js';
import { tmp, writeCharTokenizer, writeTinyModel } from '../lm/helpers.js';

function writeData(dir: string): string {
  const rows = [];
  for (let i = 0; i < 24; i++) rows.push({ prompt: `def f${i % 6}(x):\n`, completion: `    return x + ${i % 6}\n` });
  const file = join(dir, 'sft.jsonl');
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return file;
}

async function meanNll(path: string, data: Array<{ prompt: string; completion: string }>): Promise<number> {
  const m = await loadTextModel(path);
  let s = 0, n = 0;
  for (const d of data) { const lp = await m.logprobs(d.prompt, d.completion); s -= lp.sum; n += lp.tokens.length; }
  m.dispose();
  return s / n;
}

const small = { batchSize: 8, lr: 0.01, warmupSteps: 2, logEvery: 2, backend: 'auto' as const };

test('sft from a fresh config lowers the completion loss and writes a loadable HF folder', async () => {
  const dir = tmp();
  const tokDir = join(dir, 'tok');
  writeCharTokenizer(tokDir);
  const data = writeData(dir);
  const ctx = createTestContext({ baseDir: dir });
  const trainer = await instantiate<Trainer>(sft as never, { ...small, init: { tokenizer: 'tok', hiddenSize: 32, layers: 1, heads: 2 }, data: 'sft.jsonl', maxSteps: 12 }, ctx);
  const r = await trainer.train({});
  const curve = r.curves!['train/loss'];
  assert.ok(curve.length >= 3);
  assert.ok(curve.at(-1)![1] < curve[0][1] * 0.8, `loss ${curve[0][1]} -> ${curve.at(-1)![1]}`);
  for (const f of ['config.json', 'model.safetensors', 'tokenizer.json', 'generation_config.json']) assert.ok(existsSync(join(r.model.path, f)), f);
  assert.is(ctx.recorded['tfjs.backend'], tf.getBackend());
  assert.ok(ctx.metrics.some((m) => m.name === 'train' && m.values['tokens/s'] > 0));
  void data;
});

test('sft from a model folder with gradient accumulation; chosen pairs count; a run killed mid-epoch resumes at its checkpoint with the same weights', async () => {
  const dir = tmp();
  const base = writeTinyModel(join(dir, 'base'), {}, 4);
  writeData(dir);
  const rows = [{ prompt: 'def g(x):\n', completion: '    return x * 2\n' }];
  const before = await meanNll(base, rows);
  const cfg = { ...small, model: 'base', data: 'sft.jsonl', batchSize: 4, logEvery: 1, maxSteps: 6, gradAccum: 2, checkpointEvery: 3 };
  const pairs = Array.from({ length: 8 }, () => ({ prompt: rows[0].prompt, chosen: rows[0].completion, rejected: '    return x\n' }));
  const full = await (await instantiate<Trainer>(sft as never, cfg, createTestContext({ baseDir: dir, dir: tmp() }))).train({ pairs });
  assert.ok((await meanNll(full.model.path, rows)) < before);
  // 32 examples, 4 per micro-batch, 2 micro-batches a step: 4 steps an epoch. Cancelled at step 3, whose checkpoint is mid-epoch.
  const stage = tmp();
  const ctx1 = createTestContext({ baseDir: dir, dir: stage });
  const metric = ctx1.events.metric;
  (ctx1.events as { metric: typeof metric }).metric = (name, values, s) => { metric(name, values, s); if (name === 'train' && s === 3) ctx1.abort(); };
  try {
    await (await instantiate<Trainer>(sft as never, cfg, ctx1)).train({ pairs });
    assert.unreachable('should have been cancelled');
  } catch (e) {
    assert.is((e as { code?: string }).code, 'CRUCIBLE_E_CANCELLED');
  }
  const again = await (await instantiate<Trainer>(sft as never, cfg, createTestContext({ baseDir: dir, dir: stage }))).train({ pairs });
  assert.is(again.stats.resumedAt, 3);
  const weights = (p: string) => readFileSync(join(p, 'model.safetensors'));
  assert.ok(weights(again.model.path).equals(weights(full.model.path)), 'resumed weights differ from the uninterrupted run');
  assert.equal(again.curves, full.curves);
});

test('sft with LoRA writes a PEFT adapter and a merged model', async () => {
  const dir = tmp();
  writeTinyModel(join(dir, 'base'), {}, 5);
  writeData(dir);
  const r = await (await instantiate<Trainer>(sft as never, { ...small, model: 'base', data: 'sft.jsonl', maxSteps: 4, lora: { r: 4, alpha: 8, dropout: 0 } }, createTestContext({ baseDir: dir }))).train({});
  assert.ok(r.model.adapterPath && existsSync(join(r.model.adapterPath, 'adapter_config.json')));
  assert.ok(existsSync(join(r.model.adapterPath!, 'adapter_model.safetensors')));
});

test('sft without data fails with a coded error', async () => {
  const dir = tmp();
  writeTinyModel(join(dir, 'base'));
  const t = await instantiate<Trainer>(sft as never, { model: 'base' }, createTestContext({ baseDir: dir }));
  try {
    await t.train({});
    assert.unreachable();
  } catch (e) {
    assert.is((e as { code?: string }).code, 'CRUCIBLE_E_TRAIN');
  }
});

test.run();
