// One instance of crucible's kernel module per tfjs-wasm memory: the module imports that memory, so the kernels
// read and write tensors where tfjs keeps them, with no copies.
import { KERNELS_WASM_BASE64 } from './kernels-wasm.js';
import { K_BLOCK } from './wat/matmul.js';

export interface Kernels {
  bmm(a: number, b: number, c: number, batch: number, m: number, k: number, n: number, aStride: number, bStride: number, scratch: number): void;
  /** The same with B stored transposed ([n, k]) (no scratch). */
  bmmT(a: number, b: number, c: number, batch: number, m: number, k: number, n: number, aStride: number, bStride: number): void;
  gather(x: number, idx: number, nIdx: number, out: number, outer: number, dimBytes: number, sliceBytes: number): void;
  segsum(x: number, ids: number, n: number, out: number, width: number, segments: number): void;
}

/** The parts of tfjs-wasm's backend the kernels use (not in its public types). */
export interface WasmBackend {
  wasm: { asm: { memory: WebAssembly.Memory } };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: string): { dataId: object; shape: number[]; dtype: string };
}

const bytes = () => Buffer.from(KERNELS_WASM_BASE64, 'base64');
const instances = new WeakMap<WebAssembly.Memory, Kernels>();
const scratches = new WeakMap<WebAssembly.Memory, number>();

/** Whether this engine can run the module (it needs WebAssembly SIMD and bulk memory). */
export function kernelsSupported(): boolean {
  try {
    return WebAssembly.validate(bytes());
  } catch {
    return false;
  }
}

export function kernelsFor(backend: WasmBackend): Kernels | undefined {
  const memory = backend.wasm?.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory) || !(memory.buffer instanceof ArrayBuffer)) return undefined; // threaded builds share memory
  let kernels = instances.get(memory);
  if (!kernels) {
    kernels = new WebAssembly.Instance(new WebAssembly.Module(bytes()), { env: { memory } }).exports as unknown as Kernels;
    instances.set(memory, kernels);
  }
  return kernels;
}

/** A K_BLOCK x 8 float area in the heap for packing matmul strips: allocated once per memory, never freed. */
export function scratchFor(backend: WasmBackend): number {
  const memory = backend.wasm.asm.memory;
  let offset = scratches.get(memory);
  if (offset === undefined) {
    offset = offsetOf(backend, backend.makeOutput([K_BLOCK * 8], 'float32'))!;
    scratches.set(memory, offset);
  }
  return offset;
}

/** The heap offset of a tensor's data. */
export function offsetOf(backend: WasmBackend, tensor: { dataId: object }): number | undefined {
  return backend.dataIdMap.get(tensor.dataId)?.memoryOffset;
}
