// BatchMatMul for the tfjs wasm backend. tfjs-wasm runs matmuls through XNNPACK, which treats the right operand as
// constant weights: every new right operand costs an operator creation and a weight repack, and a product with a
// batch dimension falls back to a scalar loop (~2.5 GFLOP/s on 2 cores). Training multiplies fresh tensors every
// step (attention's q x k^T and p x v are batched over batch x heads), so most of a training step went there. This
// kernel (SIMD, wat/matmul.ts) runs ~30 GFLOP/s on every shape. A transposed right operand (attention scores
// against the KV cache while decoding) runs as dot products of rows, with no transpose copy. Products it does not
// cover (a transposed left operand, non-float32, uneven batch broadcasting, empty shapes) go to tfjs' own kernel.
import type * as tf from '@tensorflow/tfjs-core';
import { kernelsFor, offsetOf, scratchFor, type WasmBackend } from './instance.js';

/** Packing B strips pays off once enough 4-row blocks reuse each one (and is needed against 4 KiB aliasing). */
const PACK_MIN_ROWS = 16;

const size = (dims: number[]) => dims.reduce((a, b) => a * b, 1);

export function batchMatMulKernel(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    const backend = args.backend as unknown as WasmBackend;
    if (transposeA || a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return fallback(args);
    const [m, k] = a.shape.slice(-2);
    const [k2, n] = transposeB ? b.shape.slice(-2).reverse() : b.shape.slice(-2);
    const batchA = a.shape.slice(0, -2);
    const batchB = b.shape.slice(0, -2);
    const countA = size(batchA);
    const countB = size(batchB);
    // Equal batch shapes, or one side without batch (broadcast): what the decoder and its gradients produce.
    const sameBatch = batchA.length === batchB.length && batchA.every((d, i) => d === batchB[i]);
    if (k !== k2 || m === 0 || k === 0 || n === 0 || !(sameBatch || countA === 1 || countB === 1)) return fallback(args);
    const kernels = kernelsFor(backend);
    const offA = offsetOf(backend, a);
    const offB = offsetOf(backend, b);
    if (!kernels || offA === undefined || offB === undefined) return fallback(args);
    const out = backend.makeOutput([...(countA >= countB ? batchA : batchB), m, n], 'float32');
    const offC = offsetOf(backend, out)!;
    const batch = Math.max(countA, countB);
    const strideA = countA > 1 ? m * k * 4 : 0;
    const strideB = countB > 1 ? k * n * 4 : 0;
    if (transposeB) kernels.bmmT(offA, offB, offC, batch, m, k, n, strideA, strideB);
    else kernels.bmm(offA, offB, offC, batch, m, k, n, strideA, strideB, m >= PACK_MIN_ROWS ? scratchFor(backend) : 0);
    return out as tf.TensorInfo;
  };
}
