// GatherV2 for the tfjs wasm backend. tfjs-wasm gathers element by element; sampling gathers whole rows of the KV
// cache (dropping finished sequences) and of the embedding table at every step, which made gather the largest
// kernel of a sampling step. This kernel (wat/gather.ts) moves each slice with memory.copy. It covers gathers
// without batch dimensions of 4-byte dtypes; the rest (and any out-of-range index, for tfjs' own error) goes to
// tfjs' kernel.
import type * as tf from '@tensorflow/tfjs-core';
import { kernelsFor, offsetOf, type WasmBackend } from './instance.js';

const FOUR_BYTES = new Set(['float32', 'int32']);

export function gatherKernel(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x, indices } = args.inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
    const { axis, batchDims } = args.attrs as { axis: number; batchDims: number };
    const backend = args.backend as unknown as WasmBackend;
    const rank = x.shape.length;
    const ax = axis < 0 ? axis + rank : axis;
    if (batchDims || !FOUR_BYTES.has(x.dtype) || indices.dtype !== 'int32' || ax < 0 || ax >= rank) return fallback(args);
    const kernels = kernelsFor(backend);
    const offX = offsetOf(backend, x);
    const offIdx = offsetOf(backend, indices);
    if (!kernels || offX === undefined || offIdx === undefined) return fallback(args);
    const dim = x.shape[ax];
    const nIdx = indices.shape.reduce((a, b) => a * b, 1);
    const idx = new Int32Array(backend.wasm.asm.memory.buffer as ArrayBuffer, offIdx, nIdx);
    for (let i = 0; i < nIdx; i++) if (idx[i] < 0 || idx[i] >= dim) return fallback(args);
    const outer = x.shape.slice(0, ax).reduce((a, b) => a * b, 1);
    const slice = x.shape.slice(ax + 1).reduce((a, b) => a * b, 1);
    const out = backend.makeOutput([...x.shape.slice(0, ax), ...indices.shape, ...x.shape.slice(ax + 1)], x.dtype);
    if (outer * nIdx * slice > 0) kernels.gather(offX, offIdx, nIdx, offsetOf(backend, out)!, outer, dim * slice * 4, slice * 4);
    return out as tf.TensorInfo;
  };
}
