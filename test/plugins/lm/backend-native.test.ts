// The native TensorFlow backends: a forced one that cannot load fails with CRUCIBLE_E_BACKEND naming the
// missing piece (package, binding and Node ABI, CUDA/cuDNN libraries); where it loads, it matches wasm.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isCrucibleError } from '../../../core/kernel/errors.js';
import { backendFor, ensureBackend } from '../../../plugins/lm/backend.js';
import { diagnoseNative, missingLibraryIn, nativeBackendError, GPU_LIBRARIES } from '../../../plugins/lm/native-backend.js';
import { loadTextModel } from '../../../plugins/lm/index.js';
import { tmp } from './helpers.js';

/** A project folder holding a fake install of the package: just the files diagnoseNative looks at. */
function fakeInstall(pkg: string, files: string[]): string {
  const root = tmp();
  const dir = join(root, 'node_modules', ...pkg.split('/'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: pkg, version: '4.22.0', main: 'index.js' }));
  for (const f of files) {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), '');
  }
  return join(root, 'entry.js');
}

function libDir(files: string[]): string {
  const dir = tmp();
  for (const f of files) writeFileSync(join(dir, f), '');
  return dir;
}

const gpu = diagnoseNative('tensorflow-gpu');

test('a forced tensorflow-gpu backend that is absent fails with CRUCIBLE_E_BACKEND naming the package', async () => {
  if (gpu.packageDir) return; // installed here: the parity test below covers it
  try {
    await ensureBackend('tensorflow-gpu');
    assert.unreachable('should have thrown');
  } catch (err) {
    assert.ok(isCrucibleError(err), String(err));
    assert.is(err.code, 'CRUCIBLE_E_BACKEND');
    assert.match(err.message, '@tensorflow/tfjs-node-gpu is not installed');
    assert.ok(err.issues.some((d) => d.path === 'runtime.backend'));
    assert.match(err.issues.at(-1)!.message, 'docs/gpu.md');
  }
});

test('an installed package without its binding: the error names the binding file and Node ABI', () => {
  const from = fakeInstall('@tensorflow/tfjs-node-gpu', ['deps/lib/libtensorflow.so.2']);
  const d = diagnoseNative('tensorflow-gpu', { from, libraryDirs: [libDir(GPU_LIBRARIES.map((l) => l.file))] });
  assert.ok(d.packageDir);
  assert.is(d.missing.length, 1, d.missing.join('; '));
  assert.match(d.missing[0], join('lib', 'napi-v8', 'tfjs_binding.node'));
  assert.match(d.missing[0], `N-API ${process.versions.napi}`);
  assert.match(d.missing[0], `module ABI ${process.versions.modules}`);
});

test('missing CUDA/cuDNN libraries are named one by one', () => {
  const from = fakeInstall('@tensorflow/tfjs-node-gpu', ['lib/napi-v8/tfjs_binding.node', 'deps/lib/libtensorflow.so.2']);
  const present = GPU_LIBRARIES.map((l) => l.file).filter((f) => f !== 'libcudnn.so.8' && f !== 'libcublasLt.so.11');
  const d = diagnoseNative('tensorflow-gpu', { from, libraryDirs: [libDir(present)] });
  assert.equal(d.missing.map((m) => m.split(':')[0]), ['libcublasLt.so.11', 'libcudnn.so.8']);
  const err = nativeBackendError('tensorflow-gpu', new Error('x'), d);
  assert.is(err.code, 'CRUCIBLE_E_BACKEND');
  assert.match(err.message, 'libcublasLt.so.11');
  assert.ok(err.issues.some((i) => i.message.includes('libcudnn.so.8: cuDNN 8')));
});

test('the CPU package needs no CUDA library; a complete install reports nothing missing', () => {
  const from = fakeInstall('@tensorflow/tfjs-node', ['lib/napi-v8/tfjs_binding.node', 'deps/lib/libtensorflow.so.2']);
  assert.equal(diagnoseNative('tensorflow', { from, libraryDirs: [] }).missing, []);
});

test('a dlopen failure names the library the loader could not open', () => {
  const msg = 'libcudnn.so.8: cannot open shared object file: No such file or directory';
  assert.is(missingLibraryIn(msg), 'libcudnn.so.8');
  const from = fakeInstall('@tensorflow/tfjs-node-gpu', ['lib/napi-v8/tfjs_binding.node', 'deps/lib/libtensorflow.so.2']);
  const d = diagnoseNative('tensorflow-gpu', { from, libraryDirs: [libDir(GPU_LIBRARIES.map((l) => l.file))] });
  const err = nativeBackendError('tensorflow-gpu', new Error(msg), d);
  assert.match(err.message, 'libcudnn.so.8 (named by the dynamic loader)');
});

test("a plugin's own backend wins over the manifest's runtime.backend, which wins over auto", () => {
  assert.is(backendFor('wasm', { backend: 'tensorflow-gpu' }), 'wasm');
  assert.is(backendFor('auto', { backend: 'tensorflow-gpu' }), 'tensorflow-gpu');
  assert.is(backendFor(undefined, {}), 'auto');
});

// Parity with wasm needs a working tfjs-node-gpu: skipped, with its reason, where it cannot load.
const parity = gpu.missing.length ? test.skip : test;
if (gpu.missing.length) console.log(`  skip: tensorflow-gpu parity with wasm (${gpu.missing[0]})`);
parity('tensorflow-gpu gives the embedded model the log-probs it has on wasm', async () => {
  const model = resolve('models/crucible-tiny-coder');
  const prompt = 'def add_7(x):\n    """Return x plus 7.\n    """\n';
  const onWasm = await loadTextModel(model, { backend: 'wasm' });
  const a = await onWasm.logprobs(prompt, '    return x + 7\n');
  onWasm.dispose();
  const onGpu = await loadTextModel(model, { backend: 'tensorflow-gpu' });
  const b = await onGpu.logprobs(prompt, '    return x + 7\n');
  onGpu.dispose();
  await ensureBackend('wasm');
  a.tokens.forEach((t, i) => assert.ok(Math.abs(t - b.tokens[i]) < 1e-3, `token ${i}: ${t} vs ${b.tokens[i]}`));
});

test.run();
