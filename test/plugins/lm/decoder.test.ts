import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { ensureBackend, loadTextModel, readSafetensors, writeSafetensors, saveFolder, type NamedTensor } from '../../../plugins/lm/index.js';
import { referenceLogits } from './reference.js';
import { tmp, writeTinyModel } from './helpers.js';

function randomize(dir: string, seed: number): void {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  const file = join(dir, 'model.safetensors');
  const { tensors } = readSafetensors(file);
  const out = new Map<string, NamedTensor>();
  for (const [name, t] of tensors) {
    const data = t.data.map(() => (name.includes('norm') ? 1 + 0.3 * rnd() : 0.3 * rnd()));
    out.set(name, { shape: t.shape, data });
  }
  writeSafetensors(file, out);
}

function relErr(a: number[][], b: number[][]): number {
  let num = 0, den = 0;
  a.forEach((row, i) => row.forEach((v, j) => { num = Math.max(num, Math.abs(v - b[i][j])); den = Math.max(den, Math.abs(b[i][j])); }));
  return num / den;
}

test.before(async () => { await ensureBackend('auto'); });

for (const variant of [
  { name: 'llama GQA, tied head', cfg: {} },
  { name: 'qwen2 biases, untied head, MHA', cfg: { modelType: 'qwen2' as const, numKvHeads: 4, tieWordEmbeddings: false, ropeTheta: 1e6 } },
]) {
  test(`decoder matches a float64 reference (${variant.name})`, async () => {
    const dir = writeTinyModel(tmp(), variant.cfg);
    randomize(dir, 7);
    const m = await loadTextModel(dir);
    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    const ids = [3, 9, 14, 1, 22, 5, 40, 2, 17, 30, 11];
    const ref = referenceLogits(cfg, readSafetensors(join(dir, 'model.safetensors')).tensors, ids);
    const got = tf.tidy(() => m.decoder.forward(tf.tensor2d([ids], [1, ids.length], 'int32')).logits.arraySync() as number[][][])[0];
    const err = relErr(got, ref);
    assert.ok(err < 1e-4, `relative error ${err}`);
    // KV cache: prefill 6 tokens, then decode the rest one at a time.
    const stepLogits: number[][] = [];
    let cache = tf.tidy(() => {
      const r = m.decoder.forward(tf.tensor2d([ids.slice(0, 6)], [1, 6], 'int32'), { returnCache: true });
      stepLogits.push(...(r.logits.arraySync() as number[][][])[0]);
      return r.cache!;
    });
    for (let t = 6; t < ids.length; t++) {
      const old = cache;
      cache = tf.tidy(() => {
        const r = m.decoder.forward(tf.tensor2d([[ids[t]]], [1, 1], 'int32'), { cache: old, returnCache: true });
        stepLogits.push(...(r.logits.arraySync() as number[][][])[0]);
        return r.cache!;
      });
      old.forEach((c) => { c.k.dispose(); c.v.dispose(); });
    }
    cache.forEach((c) => { c.k.dispose(); c.v.dispose(); });
    assert.ok(relErr(stepLogits, ref) < 1e-4, 'cached decoding matches');
    // Left padding with per-row positions and a key mask gives the unpadded logits.
    const padded = tf.tidy(() => m.decoder.forward(tf.tensor2d([[0, 0, 0, ...ids]], [1, ids.length + 3], 'int32'), {
      positions: tf.tensor2d([[0, 0, 0, ...ids.map((_, i) => i)]], [1, ids.length + 3], 'int32'),
      keyMask: Float32Array.from([0, 0, 0, ...ids.map(() => 1)]),
    }).logits.arraySync() as number[][][])[0].slice(3);
    assert.ok(relErr(padded, ref) < 1e-4, 'left-padded logits match');
    m.dispose();
  });
}

test('save -> load gives identical logits', async () => {
  const dir = writeTinyModel(tmp(), { tieWordEmbeddings: false }, 3);
  const a = await loadTextModel(dir);
  const out = tmp();
  saveFolder(out, a.decoder, { tokenizerFrom: dir, rawConfig: a.rawConfig });
  const b = await loadTextModel(out);
  const ids = tf.tensor2d([[1, 2, 3, 4, 5]], [1, 5], 'int32');
  const la = tf.tidy(() => a.decoder.forward(ids).logits.dataSync());
  const lb = tf.tidy(() => b.decoder.forward(ids).logits.dataSync());
  assert.equal(Array.from(la), Array.from(lb));
  ids.dispose();
  a.dispose();
  b.dispose();
});

test.run();
