// The WebAssembly module of crucible's wasm kernels: it imports tfjs-wasm's memory and works on tensors in place.
import { gatherFunc } from './wat/gather.js';
import { matmulFunc, matmulTransposedFunc } from './wat/matmul.js';
import { segmentSumFunc } from './wat/segment-sum.js';

export function kernelsWat(): string {
  return ['(module', '(import "env" "memory" (memory 1))', matmulFunc(), matmulTransposedFunc(), gatherFunc(), segmentSumFunc(), ')', ''].join('\n');
}
