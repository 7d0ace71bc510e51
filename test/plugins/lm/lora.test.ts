import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { attachLora, ensureBackend, loadAdapter, loadTextModel, mergeLora, readSafetensors, saveAdapter, saveFolder, type Decoder } from '../../../plugins/lm/index.js';
import { tmp, writeTinyModel } from './helpers.js';

const ids = [[1, 5, 9, 13, 2, 7]];
const logits = (d: Decoder) => tf.tidy(() => Array.from(d.forward(tf.tensor2d(ids, [1, 6], 'int32')).logits.dataSync()));
const maxDiff = (a: number[], b: number[]) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

/** Gives every B factor random values so the adapter changes the output. */
function perturb(d: Decoder): void {
  let k = 0;
  for (const l of d.lora!.values()) l.b.assign(tf.randomNormal(l.b.shape, 0, 0.2, 'float32', ++k));
}

test.before(async () => { await ensureBackend('auto'); });

test('a LoRA adapter saved in PEFT layout reloads identically; merge equals base + adapter', async () => {
  const base = writeTinyModel(tmp(), {}, 21);
  const m = await loadTextModel(base);
  const plain = logits(m.decoder);
  const cfg = { r: 4, alpha: 8, dropout: 0.1, targetModules: ['q_proj', 'v_proj', 'down_proj'] };
  attachLora(m.decoder, cfg, 3);
  assert.ok(maxDiff(logits(m.decoder), plain) < 1e-6, 'B = 0 leaves the model unchanged');
  perturb(m.decoder);
  const adapted = logits(m.decoder);
  assert.ok(maxDiff(adapted, plain) > 1e-3, 'the adapter changes the logits');

  const adir = tmp();
  saveAdapter(adir, m.decoder, cfg, base);
  const acfg = JSON.parse(readFileSync(join(adir, 'adapter_config.json'), 'utf8'));
  assert.is(acfg.peft_type, 'LORA');
  assert.is(acfg.r, 4);
  assert.equal(acfg.target_modules, ['q_proj', 'v_proj', 'down_proj']);
  const names = [...readSafetensors(join(adir, 'adapter_model.safetensors')).tensors.keys()];
  assert.ok(names.includes('base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight'));
  assert.ok(names.includes('base_model.model.model.layers.1.mlp.down_proj.lora_B.weight'));
  assert.is(names.length, 2 * 3 * 2);
  const A = readSafetensors(join(adir, 'adapter_model.safetensors')).tensors.get('base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight')!;
  assert.equal(A.shape, [4, 32]);

  // Reload: base + adapter folder, and the adapter folder alone (base from adapter_config).
  const b = await loadTextModel(base, { adapter: adir });
  assert.equal(logits(b.decoder), adapted);
  const c = await loadTextModel(adir);
  assert.equal(logits(c.decoder), adapted);

  mergeLora(b.decoder);
  assert.is(b.decoder.lora, undefined);
  const merged = logits(b.decoder);
  assert.ok(maxDiff(merged, adapted) < 1e-4, `merged vs adapter ${maxDiff(merged, adapted)}`);
  const mdir = tmp();
  saveFolder(mdir, b.decoder, { tokenizerFrom: base });
  const d = await loadTextModel(mdir);
  assert.equal(logits(d.decoder), merged);

  // A second adapter load into a fresh base also works with loadAdapter directly.
  const e = await loadTextModel(base);
  loadAdapter(adir, e.decoder);
  assert.equal(logits(e.decoder), adapted);
  for (const x of [m, b, c, d, e]) x.dispose();
});

test('only the LoRA factors are trainable when adapters are attached', async () => {
  const m = await loadTextModel(writeTinyModel(tmp(), {}, 2));
  attachLora(m.decoder, { r: 2, alpha: 4, dropout: 0, targetModules: ['q_proj'] }, 1);
  assert.is(m.decoder.trainableVariables().length, 2 * 2);
  m.dispose();
});

test.run();
