// The native TensorFlow backends (@tensorflow/tfjs-node-gpu, @tensorflow/tfjs-node): what a forced choice needs
// and, when it cannot load, which piece is missing. Upstream ships one prebuilt binding (libtensorflow 2.9.1,
// built for CUDA 11.2 / cuDNN 8.1, N-API); the install step downloads it, so on a machine without that
// download the package is present but the binding is not. A failed load is turned into a coded error that
// names the package, the binding file and Node's ABI, or the CUDA/cuDNN libraries the dynamic loader cannot
// find, never a crash.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CrucibleError } from 'crucible-ml';

export type NativeBackend = 'tensorflow-gpu' | 'tensorflow';

export const NATIVE_PACKAGES: Record<NativeBackend, string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

/** The shared libraries libtensorflow 2.9.1's GPU build opens (CUDA 11.x runtime, cuBLAS, cuDNN 8) and the driver. */
export const GPU_LIBRARIES = [
  { file: 'libcuda.so.1', what: 'the NVIDIA driver (no GPU driver installed)' },
  { file: 'libcudart.so.11.0', what: 'the CUDA 11 runtime (CUDA Toolkit 11.2 or later 11.x)' },
  { file: 'libcublas.so.11', what: 'cuBLAS of CUDA 11' },
  { file: 'libcublasLt.so.11', what: 'cuBLASLt of CUDA 11' },
  { file: 'libcufft.so.10', what: 'cuFFT of CUDA 11' },
  { file: 'libcurand.so.10', what: 'cuRAND of CUDA 11' },
  { file: 'libcusolver.so.11', what: 'cuSOLVER of CUDA 11' },
  { file: 'libcusparse.so.11', what: 'cuSPARSE of CUDA 11' },
  { file: 'libcudnn.so.8', what: 'cuDNN 8 (8.1 or later 8.x)' },
] as const;

export interface NativeDiagnosis {
  backend: NativeBackend;
  package: string;
  /** Folder of the installed package, when Node resolves it. */
  packageDir?: string;
  /** Each missing piece, in the order that matters (package, then binding, then libraries). */
  missing: string[];
  node: { version: string; napi: number; modules: string };
}

export interface DiagnoseOptions {
  /** Where module resolution starts (default: this file, i.e. the project). */
  from?: string;
  /** Folders searched for shared libraries (default: LD_LIBRARY_PATH, the loader cache, CUDA's usual folders). */
  libraryDirs?: string[];
}

function resolvePackage(pkg: string, from: string): string | undefined {
  try {
    return dirname(createRequire(from).resolve(`${pkg}/package.json`));
  } catch {
    return undefined;
  }
}

/** The package's prebuilt bindings (lib/napi-vN/tfjs_binding.node), and the one its 4.x release installs. */
function bindingFiles(dir: string): { found: string[]; expected: string } {
  const lib = join(dir, 'lib');
  const found = existsSync(lib)
    ? readdirSync(lib).filter((d) => d.startsWith('napi-v')).map((d) => join(lib, d, 'tfjs_binding.node')).filter((f) => existsSync(f))
    : [];
  return { found, expected: join(lib, 'napi-v8', 'tfjs_binding.node') };
}

/** Libraries the dynamic loader knows (ldconfig's cache), as file names. */
function loaderCache(): Set<string> {
  try {
    const out = execFileSync('ldconfig', ['-p'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
    return new Set([...out.matchAll(/^\s*(\S+)\s/gm)].map((m) => m[1]));
  } catch {
    return new Set();
  }
}

function defaultLibraryDirs(): string[] {
  const fromEnv = (process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  return [...fromEnv, '/usr/local/cuda/lib64', '/usr/local/cuda/targets/x86_64-linux/lib', '/usr/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/lib'];
}

/** Which of the GPU libraries neither the given folders nor the loader cache hold. */
export function missingGpuLibraries(libraryDirs?: string[]): Array<(typeof GPU_LIBRARIES)[number]> {
  const dirs = libraryDirs ?? defaultLibraryDirs();
  const cache = libraryDirs ? new Set<string>() : loaderCache();
  return GPU_LIBRARIES.filter((lib) => !cache.has(lib.file) && !dirs.some((d) => existsSync(join(d, lib.file))));
}

/** Checks, without loading anything, what a native backend needs on this machine. */
export function diagnoseNative(backend: NativeBackend, options: DiagnoseOptions = {}): NativeDiagnosis {
  const pkg = NATIVE_PACKAGES[backend];
  const node = { version: process.version, napi: Number(process.versions.napi), modules: process.versions.modules };
  const out: NativeDiagnosis = { backend, package: pkg, missing: [], node };
  const dir = resolvePackage(pkg, options.from ?? import.meta.url);
  if (!dir) {
    out.missing.push(`package ${pkg} is not installed (npm install ${pkg}; its install step downloads libtensorflow)`);
    return out;
  }
  out.packageDir = dir;
  const binding = bindingFiles(dir);
  if (!binding.found.length) {
    out.missing.push(
      `native binding ${binding.expected} (the package's install step did not download or build it; ` +
        `this Node is ${node.version}, N-API ${node.napi}, module ABI ${node.modules}; rerun: npm rebuild ${pkg})`,
    );
  }
  const libtf = join(dir, 'deps', 'lib');
  if (!existsSync(join(libtf, 'libtensorflow.so.2')) && !existsSync(join(libtf, 'libtensorflow.so'))) {
    out.missing.push(`libtensorflow in ${libtf} (downloaded by the install step: npm rebuild ${pkg})`);
  }
  if (backend === 'tensorflow-gpu') {
    for (const lib of missingGpuLibraries(options.libraryDirs)) out.missing.push(`${lib.file}: ${lib.what}`);
  }
  return out;
}

/** The library a dlopen failure names ("libcudnn.so.8: cannot open shared object file"). */
export function missingLibraryIn(message: string): string | undefined {
  return /([\w.+-]+\.so[\w.]*): cannot open shared object file/.exec(message)?.[1];
}

/** The coded error for a native backend that did not load: every missing piece, the cause, and the way out. */
export function nativeBackendError(backend: NativeBackend, cause: unknown, diagnosis: NativeDiagnosis = diagnoseNative(backend)): CrucibleError {
  const loadMessage = cause instanceof Error ? cause.message : cause === undefined ? '' : String(cause);
  const missing = [...diagnosis.missing];
  const lib = missingLibraryIn(loadMessage);
  if (lib && !missing.some((m) => m.startsWith(lib))) missing.push(`${lib} (named by the dynamic loader)`);
  if (!missing.length) missing.push(loadMessage ? `the backend failed to start: ${loadMessage.split('\n')[0]}` : 'the backend did not register "tensorflow"');
  const details = missing.map((message) => ({ path: 'runtime.backend', message: `${backend}: missing ${message}` }));
  const hint = backend === 'tensorflow-gpu'
    ? 'see docs/gpu.md: tfjs-node-gpu 4.22 needs CUDA 11.2+ (11.x) and cuDNN 8.1+ (8.x); or use runtime.backend "wasm", or serve the model with vLLM'
    : 'see docs/gpu.md, or use runtime.backend "wasm"';
  return new CrucibleError('CRUCIBLE_E_BACKEND', `tfjs backend "${backend}" (${diagnosis.package}) could not be loaded: ${missing[0]}${missing.length > 1 ? ` (+${missing.length - 1} more)` : ''}`, [...details, { message: hint }], { cause });
}

/** Version facts recorded with a run that uses a native backend. */
export function nativeVersions(diagnosis: NativeDiagnosis): Record<string, unknown> {
  if (!diagnosis.packageDir) return {};
  try {
    const pkg = JSON.parse(readFileSync(join(diagnosis.packageDir, 'package.json'), 'utf8')) as { version?: string };
    return { package: diagnosis.package, version: pkg.version, node: diagnosis.node };
  } catch {
    return {};
  }
}
