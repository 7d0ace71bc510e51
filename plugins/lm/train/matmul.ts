// Matmuls whose backward pass uses explicit transposes + plain matmuls. tfjs' own gradients emit
// matMul(transposeA/transposeB), which on wasm is ~10x slower than transposing first.
import * as tf from '@tensorflow/tfjs-core';
import { wasmKernels } from '../wasm/index.js';
import './gradients.js';

type CustomGradFn = Parameters<typeof tf.customGrad>[0];

const swapLast = (t: tf.Tensor) => {
  const perm = t.shape.map((_, i) => i);
  const n = perm.length;
  [perm[n - 2], perm[n - 1]] = [perm[n - 1], perm[n - 2]];
  return tf.transpose(t, perm);
};

/** a [..., M, K] x b [..., K, N] (same batch dims) with a transpose-free gradient. */
export const matmul = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved;
      return [tf.matMul(dy, swapLast(sb)), tf.matMul(swapLast(sa), dy)];
    },
  };
}) as unknown as CustomGradFn) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/** Whether matMul's transposeB flag is fast: everywhere but on tfjs-wasm's own kernel (~10x slower there). */
const transposeFlagFast = () => tf.getBackend() !== 'wasm' || wasmKernels().includes('BatchMatMul');

/** a x b^T: by the transposeB flag where that is fast (no copy of b), else with an explicit transpose. */
export function matmulBT(a: tf.Tensor, b: tf.Tensor, grad: boolean): tf.Tensor {
  if (grad) return matmul(a, swapLast(b));
  return transposeFlagFast() ? tf.matMul(a, b, false, true) : tf.matMul(a, swapLast(b));
}

/**
 * Embedding lookup whose gradient adds each token's gradient row into its vocabulary row (UnsortedSegmentSum).
 * gather's own gradient is not registered in Node, and the wasm backend has that kernel only with crucible's
 * kernels: elsewhere the same sum is formed as a one-hot matrix product (same values, ~0.5 GFLOP more a step).
 */
export function embed(table: tf.Tensor2D, ids: tf.Tensor, grad: boolean): tf.Tensor {
  const flat = tf.reshape(ids, [-1]) as tf.Tensor1D;
  if (!grad) return tf.gather(table, flat);
  const vocab = table.shape[0];
  const segmentSum = tf.getKernel('UnsortedSegmentSum', tf.getBackend()) !== undefined;
  // The ids are saved (cloned and kept by the engine): the closure's tensor is gone by backprop time.
  const f = tf.customGrad(((t: tf.Tensor, idx: tf.Tensor, save: tf.GradSaveFunc) => {
    save([idx]);
    return {
      value: tf.gather(t, idx as tf.Tensor1D),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
        segmentSum
          ? tf.unsortedSegmentSum(dy as tf.Tensor2D, saved[0] as tf.Tensor1D, vocab)
          : tf.matMul(tf.transpose(tf.cast(tf.oneHot(saved[0] as tf.Tensor1D, vocab), 'float32')), dy as tf.Tensor2D),
        tf.zerosLike(saved[0]),
      ],
    };
  }) as unknown as CustomGradFn) as (t: tf.Tensor, idx: tf.Tensor) => tf.Tensor;
  return f(table, flat);
}
