// UnsortedSegmentSum for the tfjs wasm backend, which has none. It is the gradient of an embedding lookup (each
// token's gradient row added into its vocabulary row); without it the decoder formed that gradient as a one-hot
// matrix product ([vocab, tokens] x [tokens, hidden]: ~0.5 GFLOP and a 8 MB one-hot per step for the embedded
// model). Rows are added in token order, as the product summed them, so the result is the same bit for bit.
import type * as tf from '@tensorflow/tfjs-core';
import { kernelsFor, offsetOf, type WasmBackend } from './instance.js';

export function segmentSumKernel(): tf.KernelFunc {
  return (args) => {
    const { x, segmentIds } = args.inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
    const { numSegments } = args.attrs as { numSegments: number };
    const backend = args.backend as unknown as WasmBackend;
    const n = x.shape[0] ?? 1;
    const width = x.shape.slice(1).reduce((a, b) => a * b, 1);
    const kernels = kernelsFor(backend);
    const offX = offsetOf(backend, x);
    const offIds = offsetOf(backend, segmentIds);
    if (x.dtype !== 'float32' || segmentIds.dtype !== 'int32' || segmentIds.shape.length !== 1 || segmentIds.shape[0] !== n || !kernels || offX === undefined || offIds === undefined) {
      throw new Error(`UnsortedSegmentSum (crucible wasm): needs float32 x [n, ...] and int32 segmentIds [n]; got ${x.dtype} [${x.shape}] and ${segmentIds.dtype} [${segmentIds.shape}]`);
    }
    const ids = new Int32Array(backend.wasm.asm.memory.buffer as ArrayBuffer, offIds, n);
    for (let i = 0; i < n; i++) {
      if (ids[i] < 0 || ids[i] >= numSegments) throw new Error(`UnsortedSegmentSum: segment id ${ids[i]} is not in [0, ${numSegments - 1}]`);
    }
    const out = backend.makeOutput([numSegments, ...x.shape.slice(1)], 'float32');
    kernels.segsum(offX, offIds, n, offsetOf(backend, out)!, width, numSegments);
    return out as tf.TensorInfo;
  };
}
