// Identity (tf.clone, and every tensor a custom gradient saves) for the tfjs wasm backend. tfjs-wasm copies the
// data; tensors are immutable, so the clone can share it, as tfjs' cpu backend and wasm's own Reshape do (one more
// reference on the data). Training saves the inputs of every custom-gradient matmul: the copies were ~4% of a step.
import type * as tf from '@tensorflow/tfjs-core';

interface RefCounting {
  incRef(dataId: object): void;
}

export function identityKernel(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype === 'string') return fallback(args);
    (args.backend as unknown as RefCounting).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}
