// tfjs backend selection: tfjs-node-gpu -> tfjs-node -> wasm -> cpu, whichever loads first, or a forced one.
// The native packages are optional dependencies (their install downloads libtensorflow), so they are
// imported by a computed specifier and a failed import simply moves on to the next candidate.
import * as tf from '@tensorflow/tfjs-core';
import { CrucibleError } from '../../core/errors.js';
import { useWasmKernels, wasmKernels } from './wasm/index.js';

export type BackendChoice = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

let chosen: Promise<string> | undefined;
let chosenFor: BackendChoice | undefined;

async function tryImport(specifier: string): Promise<boolean> {
  try {
    await import(specifier);
    return true;
  } catch {
    return false;
  }
}

async function activate(name: string): Promise<boolean> {
  try {
    if (!(await tf.setBackend(name))) return false;
    await tf.ready();
    return tf.getBackend() === name;
  } catch {
    return false;
  }
}

async function loadNative(): Promise<boolean> {
  // Either package registers the 'tensorflow' backend on import.
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    if (await tryImport(pkg)) return activate('tensorflow');
  }
  return false;
}

async function loadWasm(): Promise<boolean> {
  if (!((await tryImport('@tensorflow/tfjs-backend-wasm')) && (await activate('wasm')))) return false;
  // CRUCIBLE_WASM_KERNELS=tfjs keeps tfjs' own kernels (for comparisons; bench/lm-throughput.ts measures both).
  useWasmKernels(process.env.CRUCIBLE_WASM_KERNELS !== 'tfjs');
  return true;
}

async function loadCpu(): Promise<boolean> {
  return (await tryImport('@tensorflow/tfjs-backend-cpu')) && activate('cpu');
}

async function select(choice: BackendChoice): Promise<string> {
  const envChoice = process.env.CRUCIBLE_TFJS_BACKEND as BackendChoice | undefined;
  const want = choice === 'auto' && envChoice ? envChoice : choice;
  const order: Record<BackendChoice, Array<[string, () => Promise<boolean>]>> = {
    auto: [['tensorflow', loadNative], ['wasm', loadWasm], ['cpu', loadCpu]],
    tensorflow: [['tensorflow', loadNative]],
    wasm: [['wasm', loadWasm]],
    cpu: [['cpu', loadCpu]],
  };
  const candidates = order[want];
  if (!candidates) {
    throw CrucibleError.at('CRUCIBLE_E_MODEL', { message: `unknown tfjs backend "${want}"`, hint: 'use auto, tensorflow, wasm or cpu' });
  }
  for (const [name, load] of candidates) if (await load()) return name;
  throw CrucibleError.at('CRUCIBLE_E_MODEL', {
    message: `tfjs backend "${want}" could not be loaded`,
    hint: want === 'tensorflow' ? 'install @tensorflow/tfjs-node (needs libtensorflow) or use backend "wasm"' : 'check the @tensorflow/tfjs-backend-* packages',
  });
}

/**
 * Makes a backend active and returns its name ("tensorflow", "wasm" or "cpu"). Process-wide: tfjs has a
 * single active backend, so the first choice sticks unless a later call forces another one.
 */
export async function ensureBackend(choice: BackendChoice = 'auto'): Promise<string> {
  if (chosen && (choice === 'auto' || choice === chosenFor)) {
    const name = await chosen;
    if (tf.getBackend() === name) return name;
  }
  chosenFor = choice;
  chosen = select(choice);
  try {
    return await chosen;
  } catch (err) {
    chosen = undefined;
    throw err;
  }
}

/** Records with the run the backend in use and, on wasm, which kernels crucible replaced (speed, not results). */
export function recordBackend(events: { record(key: string, value: unknown): void }, name: string): void {
  events.record('tfjs.backend', name);
  if (name === 'wasm') events.record('tfjs.wasmKernels', wasmKernels());
}

/** The active backend's name, or undefined before any model was loaded. */
export function activeBackend(): string | undefined {
  return chosen ? tf.getBackend() : undefined;
}
