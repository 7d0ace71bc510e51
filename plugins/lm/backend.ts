// tfjs backend selection: tfjs-node-gpu -> tfjs-node -> wasm -> cpu, whichever loads first, or a forced one.
// The native packages are optional (their install downloads libtensorflow), so they are imported by a
// computed specifier: under "auto" a failed import moves on to the next candidate; a forced native backend
// that does not load fails with CRUCIBLE_E_BACKEND naming the missing piece (native-backend.ts).
import * as tf from '@tensorflow/tfjs-core';
import { CrucibleError } from 'crucible-ml';
import { useWasmKernels, wasmKernels } from './wasm/index.js';
import { diagnoseNative, nativeBackendError, NATIVE_PACKAGES, type NativeBackend } from './native-backend.js';

export type BackendChoice = 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
/** The values a config's or the manifest's `backend` accepts. */
export const BACKEND_CHOICES = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;

let chosen: Promise<string> | undefined;
let chosenFor: BackendChoice | undefined;
/** Which native package provides the "tensorflow" backend, when one does. */
let nativePackage: string | undefined;

async function tryImport(specifier: string): Promise<boolean> {
  return (await importError(specifier)) === undefined;
}

/** undefined when the module loaded, else why not. */
async function importError(specifier: string): Promise<unknown> {
  try {
    await import(specifier);
    return undefined;
  } catch (err) {
    return err ?? new Error(`import of ${specifier} failed`);
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

// Either package registers the 'tensorflow' backend on import.
async function loadNative(which: NativeBackend): Promise<boolean> {
  if (!((await tryImport(NATIVE_PACKAGES[which])) && (await activate('tensorflow')))) return false;
  nativePackage = NATIVE_PACKAGES[which];
  return true;
}

/** A forced native backend: loads, or throws the coded error naming what is missing. */
async function loadNativeOrExplain(which: NativeBackend): Promise<boolean> {
  const diagnosis = diagnoseNative(which);
  if (!diagnosis.packageDir) throw nativeBackendError(which, undefined, diagnosis);
  const failure = await importError(NATIVE_PACKAGES[which]);
  if (failure !== undefined) throw nativeBackendError(which, failure, diagnosis);
  if (!(await activate('tensorflow'))) throw nativeBackendError(which, new Error('the "tensorflow" backend did not start'), diagnosis);
  nativePackage = NATIVE_PACKAGES[which];
  return true;
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
    auto: [['tensorflow', () => loadNative('tensorflow-gpu')], ['tensorflow', () => loadNative('tensorflow')], ['wasm', loadWasm], ['cpu', loadCpu]],
    'tensorflow-gpu': [['tensorflow', () => loadNativeOrExplain('tensorflow-gpu')]],
    tensorflow: [['tensorflow', () => loadNativeOrExplain('tensorflow')]],
    wasm: [['wasm', loadWasm]],
    cpu: [['cpu', loadCpu]],
  };
  const candidates = order[want];
  if (!candidates) {
    throw CrucibleError.at('CRUCIBLE_E_BACKEND', { path: 'runtime.backend', message: `unknown tfjs backend "${want}"`, hint: `use one of ${BACKEND_CHOICES.join(', ')}` });
  }
  for (const [name, load] of candidates) if (await load()) return name;
  throw CrucibleError.at('CRUCIBLE_E_BACKEND', { path: 'runtime.backend', message: `tfjs backend "${want}" could not be loaded`, hint: 'check the @tensorflow/tfjs-backend-* packages' });
}

/** A plugin's `backend` setting, else the manifest's `runtime.backend` (ctx.runtime), else auto. */
export function backendFor(configured: string | undefined, runtime?: { backend?: string }): BackendChoice {
  const own = configured && configured !== 'auto' ? configured : undefined;
  return (own ?? runtime?.backend ?? 'auto') as BackendChoice;
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
  if (name === 'tensorflow' && nativePackage) events.record('tfjs.native', nativePackage);
}

/** The active backend's name, or undefined before any model was loaded. */
export function activeBackend(): string | undefined {
  return chosen ? tf.getBackend() : undefined;
}
