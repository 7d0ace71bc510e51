// crucible's kernels for the tfjs wasm backend: the committed module is what the generators assemble; every product
// the SIMD matmul takes (2-D, batched, broadcast batch, edge sizes around the 4x8 blocks and the k chunk) equals a
// float64 reference; every gather equals tfjs-wasm's own kernel; what they do not cover still goes to tfjs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import { ensureBackend } from '../../../plugins/lm/index.js';
import { assembleKernels } from '../../../plugins/lm/wasm/build.js';
import { KERNELS_WASM_BASE64 } from '../../../plugins/lm/wasm/kernels-wasm.js';
import { K_BLOCK } from '../../../plugins/lm/wasm/wat/matmul.js';
import { useWasmKernels, wasmKernels } from '../../../plugins/lm/wasm/index.js';
import { embed, matmul } from '../../../plugins/lm/train/matmul.js';

test.before(async () => {
  assert.is(await ensureBackend('wasm'), 'wasm');
});

test('the committed module is the one the generators assemble (run `npm run build:wasm` after editing them)', async () => {
  const bytes = await assembleKernels();
  assert.is(Buffer.from(bytes).toString('base64'), KERNELS_WASM_BASE64);
});

test('the wasm backend runs crucible\'s kernels, and can be switched back to tfjs\' own', () => {
  assert.equal(wasmKernels(), ['BatchMatMul', 'GatherV2', 'Identity', 'UnsortedSegmentSum']);
  assert.is(useWasmKernels(false), false);
  assert.equal(wasmKernels(), []);
  assert.is(useWasmKernels(true), true);
});

/** Deterministic values in [-1, 1) of a shape. */
function values(shape: number[], seed: number): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** float64 a x b over broadcast batch dims (b or a may have none), optional transposes. */
function reference(a: Float32Array, aShape: number[], b: Float32Array, bShape: number[], ta = false, tb = false): Float64Array {
  const [ar, ac] = aShape.slice(-2);
  const [br, bc] = bShape.slice(-2);
  const m = ta ? ac : ar;
  const k = ta ? ar : ac;
  const n = tb ? br : bc;
  const batchA = aShape.slice(0, -2).reduce((x, y) => x * y, 1);
  const batchB = bShape.slice(0, -2).reduce((x, y) => x * y, 1);
  const batch = Math.max(batchA, batchB);
  const out = new Float64Array(batch * m * n);
  for (let t = 0; t < batch; t++) {
    const A = (batchA === 1 ? 0 : t) * ar * ac;
    const B = (batchB === 1 ? 0 : t) * br * bc;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let q = 0; q < k; q++) s += a[A + (ta ? q * ac + i : i * ac + q)] * b[B + (tb ? j * bc + q : q * bc + j)];
        out[t * m * n + i * n + j] = s;
      }
    }
  }
  return out;
}

function check(aShape: number[], bShape: number[], ta = false, tb = false) {
  const a = values(aShape, aShape.length * 7 + aShape[0]);
  const b = values(bShape, bShape.length * 13 + bShape[0]);
  const got = tf.tidy(() => tf.matMul(tf.tensor(a, aShape), tf.tensor(b, bShape), ta, tb).dataSync() as Float32Array);
  const want = reference(a, aShape, b, bShape, ta, tb);
  assert.is(got.length, want.length, `${aShape} x ${bShape}`);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i])));
  assert.ok(worst < 1e-5, `${aShape} x ${bShape} (transposes ${ta}/${tb}): max relative error ${worst}`);
}

test('2-D products of every edge size around the 4x8 blocks match float64', () => {
  for (const m of [1, 3, 4, 5, 9]) for (const n of [1, 3, 4, 7, 8, 9, 17]) for (const k of [1, 2, 33]) check([m, k], [k, n]);
});

test('batched products (the attention shapes), 4-D batches and a broadcast side match float64', () => {
  check([16, 2, 50, 32], [16, 2, 32, 25]);
  check([3, 7, 5], [3, 5, 11]);
  check([2, 3, 6, 4], [4, 9]);
  check([5, 4], [3, 4, 10]);
});

test('products with enough rows pack B strips first (a vocabulary-wide n: rows 4 KiB apart) and match float64', () => {
  check([17, 40], [40, 1024]);
  check([20, 3], [3, 13]); // 8-wide strip packed, then a 4-wide and a scalar column read in place
  check([2, 18, 9], [9, 16]); // broadcast B, packed once per batch entry
  check([16, K_BLOCK + 5], [K_BLOCK + 5, 24]); // packing per k chunk
});

test('k longer than one chunk accumulates across chunks', () => {
  check([6, K_BLOCK * 2 + 3], [K_BLOCK * 2 + 3, 13]);
  check([2, 5, K_BLOCK + 1], [2, K_BLOCK + 1, 9]);
});

test('a transposed right operand (rows of B as dot products) matches float64 at every edge size', () => {
  for (const m of [1, 2, 5]) for (const n of [1, 3, 4, 5, 9]) for (const k of [1, 3, 4, 7, 32, 33]) check([m, k], [n, k], false, true);
  check([2, 5, 7], [2, 9, 7], false, true);
  check([10, 2, 2, 32], [10, 2, 77, 32], false, true); // decoding: queries against the KV cache
  check([3, 4, 6], [5, 6], false, true);
});

test('a transposed left operand (left to tfjs) stays right', () => {
  check([7, 5], [7, 9], true, false);
  check([7, 5], [9, 7], true, true);
});

test('gradients through the kernel (the decoder\'s transpose-free matmul) match the analytic ones', () => {
  const a = tf.tensor(values([2, 5, 6], 3), [2, 5, 6]);
  const b = tf.tensor(values([2, 6, 4], 5), [2, 6, 4]);
  const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(matmul(x, y)))([a, b]);
  // d sum(AB)/dA = 1 B^T (row sums of B), d/dB = A^T 1 (column sums of A).
  const bRows = tf.sum(b, 2, true);
  const aCols = tf.sum(a, 1, true);
  const close = (x: tf.Tensor, y: tf.Tensor) => tf.max(tf.abs(tf.sub(x, y))).dataSync()[0];
  assert.ok(close(ga, tf.mul(tf.onesLike(a), tf.transpose(bRows, [0, 2, 1]))) < 1e-5);
  assert.ok(close(gb, tf.mul(tf.onesLike(b), tf.transpose(aCols, [0, 2, 1]))) < 1e-5);
});

function gathered(xShape: number[], idx: number[], idxShape: number[], axis: number, dtype: 'float32' | 'int32' = 'float32') {
  const x = dtype === 'int32' ? Int32Array.from(values(xShape, 11), (v) => Math.round(v * 1000)) : values(xShape, 11);
  return tf.tidy(() => Array.from(tf.gather(tf.tensor(x, xShape, dtype), tf.tensor(idx, idxShape, 'int32'), axis).dataSync()));
}

test('gathers (rows of the KV cache, the embedding table, inner axes, repeated and 2-D indices) equal tfjs\' own', async () => {
  const cases: Array<[number[], number[], number[], number, ('float32' | 'int32')?]> = [
    [[5, 2, 7, 4], [4, 0, 0, 2], [4], 0],
    [[16, 8], [3, 15, 0, 7, 7], [5], 0],
    [[3, 6, 5], [5, 1], [2], 1],
    [[4, 9], [8, 0, 2, 2, 1, 3], [2, 3], 1],
    [[6, 3], [5, 4], [2], 0, 'int32'],
    [[4, 3], [], [0], 0],
  ];
  const ours = cases.map(([shape, idx, idxShape, axis, dtype]) => gathered(shape, idx, idxShape, axis, dtype));
  useWasmKernels(false);
  const theirs = cases.map(([shape, idx, idxShape, axis, dtype]) => gathered(shape, idx, idxShape, axis, dtype));
  useWasmKernels(true);
  ours.forEach((o, i) => assert.equal(o, theirs[i], `case ${i}`));
});

test('a clone shares its data: it outlives the original, and the memory is freed with the last of them', () => {
  const buffers = () => (tf.memory() as { numDataBuffers: number }).numDataBuffers;
  const start = buffers();
  const original = tf.tensor([1.5, -2, 3], [3]);
  const copy = tf.clone(original);
  assert.is(buffers(), start + 1, 'no second buffer');
  original.dispose();
  assert.is(buffers(), start + 1, 'the buffer stays while the clone holds it');
  assert.equal(Array.from(copy.dataSync()), [1.5, -2, 3]);
  assert.equal(tf.tidy(() => Array.from(tf.add(copy, 1).dataSync())), [2.5, -1, 4], 'usable in kernels after the original is gone');
  copy.dispose();
  assert.is(buffers(), start);
});

test('segment sums (the embedding gradient) add rows in order, with a vector tail, and refuse bad ids', () => {
  for (const width of [1, 4, 6, 128]) {
    const n = 9;
    const x = values([n, width], width);
    const ids = [3, 0, 3, 3, 1, 0, 4, 3, 1];
    const got = tf.tidy(() => Array.from(tf.unsortedSegmentSum(tf.tensor(x, [n, width]), tf.tensor1d(ids, 'int32'), 6).dataSync()));
    const want = new Float32Array(6 * width);
    ids.forEach((s, i) => { for (let j = 0; j < width; j++) want[s * width + j] = Math.fround(want[s * width + j] + x[i * width + j]); });
    assert.equal(got, Array.from(want), `width ${width}: float32 sums in row order`);
  }
  assert.throws(() => tf.tidy(() => tf.unsortedSegmentSum(tf.ones([2, 3]), tf.tensor1d([0, 7], 'int32'), 4).dataSync()), /segment id 7 is not in \[0, 3\]/);
});

test('the embedding gradient is the same through the segment sum as through the one-hot product', () => {
  const table = tf.tensor(values([12, 8], 5), [12, 8]);
  const ids = tf.tensor1d([3, 11, 3, 0, 7, 3], 'int32');
  const weights = tf.tensor(values([6, 8], 9), [6, 8]);
  const gradient = () => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(embed(t as tf.Tensor2D, ids, true), weights)))(table);
  const bySegments = gradient();
  useWasmKernels(false); // tfjs-wasm has no UnsortedSegmentSum: the one-hot product
  const byOneHot = gradient();
  useWasmKernels(true);
  const worst = tf.max(tf.abs(tf.sub(bySegments, byOneHot))).dataSync()[0];
  assert.ok(worst < 1e-6, `max difference ${worst}`);
  assert.equal(Array.from(bySegments.dataSync()).slice(8, 16), Array.from(values([12, 8], 5)).slice(8, 16).map(() => 0), 'rows of unused ids stay zero');
});

test('an out-of-range gather index still fails with tfjs\' own error', () => {
  assert.throws(() => gathered([4, 3], [1, 4], [2], 0), /not in \[0, 3\]/);
});

test.run();
