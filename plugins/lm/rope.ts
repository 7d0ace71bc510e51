// Rotary position embeddings, written without slices and a concat per call: rope(x) = x * cos + rotateHalf(x) * sin
// with full-width tables (each half repeated) and rotateHalf as a product with a fixed signed permutation
// ([x1, x2] -> [-x2, x1]). A product with one ±1 per column is exact, so the result equals the sliced form bit for
// bit; it is 4 ops instead of 9, which matters at every layer of every decoding step.
import * as tf from '@tensorflow/tfjs-core';

type CustomGradFn = Parameters<typeof tf.customGrad>[0];

/** cos and sin tables [n, headDim], each half repeated, computed in float64. */
export function ropeTables(n: number, headDim: number, theta: number): [tf.Tensor2D, tf.Tensor2D] {
  const half = headDim / 2;
  const c = new Float32Array(n * headDim);
  const s = new Float32Array(n * headDim);
  for (let i = 0; i < half; i++) {
    const invFreq = 1 / theta ** ((2 * i) / headDim);
    for (let pos = 0; pos < n; pos++) {
      c[pos * headDim + i] = c[pos * headDim + half + i] = Math.cos(pos * invFreq);
      s[pos * headDim + i] = s[pos * headDim + half + i] = Math.sin(pos * invFreq);
    }
  }
  return [tf.tensor2d(c, [n, headDim]), tf.tensor2d(s, [n, headDim])];
}

/** The [headDim, headDim] matrix R with x R = [-x2, x1]. */
export function rotateHalfMatrix(headDim: number): tf.Tensor2D {
  const half = headDim / 2;
  const r = new Float32Array(headDim * headDim);
  for (let j = 0; j < half; j++) {
    r[(j + half) * headDim + j] = -1; // out[j] = -x[j + half]
    r[j * headDim + j + half] = 1; // out[j + half] = x[j]
  }
  return tf.tensor2d(r, [headDim, headDim]);
}

// R is antisymmetric (R^T = -R), so the gradient of x R is -(dy R): no transpose, and no gradient for the constant.
const rotateWithGrad = tf.customGrad(((x: tf.Tensor, r: tf.Tensor, save: tf.GradSaveFunc) => {
  save([r]);
  return {
    value: tf.matMul(x, r),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.neg(tf.matMul(dy, saved[0])), tf.zerosLike(saved[0])],
  };
}) as unknown as CustomGradFn) as (x: tf.Tensor, r: tf.Tensor) => tf.Tensor;

/** x [B, H, T, headDim] with positions applied; cos/sin broadcast to it ([B|1, 1, T, headDim]). */
export function applyRope(x: tf.Tensor4D, cos: tf.Tensor, sin: tf.Tensor, rotate: tf.Tensor2D, grad: boolean): tf.Tensor4D {
  const rotated = grad ? rotateWithGrad(x, rotate) : tf.matMul(x, rotate);
  return tf.add(tf.mul(x, cos), tf.mul(rotated, sin)) as tf.Tensor4D;
}
