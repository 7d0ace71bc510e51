// crucible's kernels for the tfjs wasm backend: BatchMatMul, GatherV2 and Identity in place of tfjs' own, and
// UnsortedSegmentSum, which tfjs-wasm lacks. Registered when the wasm backend is selected (../backend.ts) and
// switchable at run time, so benchmarks measure both in one process.
import * as tf from '@tensorflow/tfjs-core';
import { batchMatMulKernel } from './batch-matmul.js';
import { gatherKernel } from './gather.js';
import { identityKernel } from './identity.js';
import { kernelsSupported } from './instance.js';
import { segmentSumKernel } from './segment-sum.js';

const REPLACEMENTS: Record<string, (fallback: tf.KernelFunc) => tf.KernelFunc> = {
  BatchMatMul: batchMatMulKernel,
  GatherV2: gatherKernel,
  Identity: identityKernel,
};
const ADDITIONS: Record<string, () => tf.KernelFunc> = {
  UnsortedSegmentSum: segmentSumKernel,
};
const originals = new Map<string, tf.KernelConfig>();
let active = false;

/**
 * Routes the wasm backend's kernels to crucible's (`enabled`), or back to tfjs' own (and removes the added ones).
 * Returns whether crucible's kernels are now in use: false where the engine lacks WebAssembly SIMD.
 */
export function useWasmKernels(enabled = true): boolean {
  if (enabled === active) return active;
  if (enabled && !kernelsSupported()) return false;
  if (!tf.getKernel('BatchMatMul', 'wasm')) return false; // the wasm backend is not loaded
  for (const [name, replace] of Object.entries(REPLACEMENTS)) {
    const original = originals.get(name) ?? tf.getKernel(name, 'wasm');
    if (!original) continue;
    originals.set(name, original);
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(enabled ? { ...original, kernelFunc: replace(original.kernelFunc) } : original);
  }
  for (const [name, make] of Object.entries(ADDITIONS)) {
    if (enabled && !tf.getKernel(name, 'wasm')) tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: make() });
    if (!enabled && tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
  }
  active = enabled;
  return active;
}

/** The kernels crucible runs in tfjs-wasm (recorded with each run); empty when tfjs' own run. */
export function wasmKernels(): string[] {
  return active ? [...Object.keys(REPLACEMENTS), ...Object.keys(ADDITIONS)] : [];
}
