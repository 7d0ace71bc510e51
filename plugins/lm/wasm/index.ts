// crucible's kernels for the tfjs wasm backend (BatchMatMul, GatherV2, Identity): registered in place of tfjs' own
// when the wasm backend is selected (../backend.ts), switchable at run time so benchmarks measure both in one process.
import * as tf from '@tensorflow/tfjs-core';
import { batchMatMulKernel } from './batch-matmul.js';
import { gatherKernel } from './gather.js';
import { identityKernel } from './identity.js';
import { kernelsSupported } from './instance.js';

const REPLACEMENTS: Record<string, (fallback: tf.KernelFunc) => tf.KernelFunc> = {
  BatchMatMul: batchMatMulKernel,
  GatherV2: gatherKernel,
  Identity: identityKernel,
};
const originals = new Map<string, tf.KernelConfig>();
let active = false;

/**
 * Routes the wasm backend's BatchMatMul, GatherV2 and Identity to crucible's kernels (`enabled`), or back to tfjs' own.
 * Returns whether crucible's kernels are now in use: false where the engine lacks WebAssembly SIMD.
 */
export function useWasmKernels(enabled = true): boolean {
  if (enabled === active) return active;
  if (enabled && !kernelsSupported()) return false;
  for (const [name, replace] of Object.entries(REPLACEMENTS)) {
    const original = originals.get(name) ?? tf.getKernel(name, 'wasm');
    if (!original) continue;
    originals.set(name, original);
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(enabled ? { ...original, kernelFunc: replace(original.kernelFunc) } : original);
  }
  active = enabled && originals.size > 0;
  return active;
}

/** The kernels crucible runs in place of tfjs-wasm's (recorded with each run); empty when tfjs' own run. */
export function wasmKernels(): string[] {
  return active ? [...originals.keys()] : [];
}
