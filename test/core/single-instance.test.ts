// One copy of crucible-ml per process: a plugin that resolves the package to another copy than the host runs
// (sources beside dist/) fails at import with a coded error instead of registering with the wrong kernel.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { tempDir } from '../helpers/kernel.js';

const root = join(import.meta.dirname, '..', '..');

function importBoth(first: string, second: string) {
  const script = `await import(${JSON.stringify(first)});
try { await import(${JSON.stringify(second)}); console.log('no error'); }
catch (error) { console.log(error.code, error.message); }`;
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
}

test('the sources and dist/ of crucible-ml in one process fail with CRUCIBLE_E_KERNEL_TWICE, naming both', () => {
  assert.ok(existsSync(join(root, 'dist', 'core', 'index.js')), 'run `npm run build` first');
  const run = importBoth('./core/index.ts', './dist/core/util/index.js');
  assert.is(run.status, 0, run.stderr);
  assert.match(run.stdout, 'CRUCIBLE_E_KERNEL_TWICE');
  assert.match(run.stdout, `${root}/core/`);
  assert.match(run.stdout, `${root}/dist/core/`);
});

test('the package names resolve to the one copy the process already runs', () => {
  const run = importBoth('./core/index.ts', 'crucible-ml/testing');
  assert.is(run.status, 0, run.stderr);
  assert.is(run.stdout.trim(), 'no error');
});

test('the CLI from sources loads the built-in plugins, which import crucible-ml, through the same copy', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'core', 'cli', 'main.ts'), 'plugins'], { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  assert.is(run.status, 0, run.stderr);
  assert.match(run.stdout, /pairing\s+all-pairs/);
});

// A .ts plugin outside the repository that uses crucible-ml's values (not only its types), loaded by the built
// kernel under plain Node: it resolves the package to the host's files whether the host started in the
// repository (whose tsconfig paths point at the sources) or elsewhere (where nothing named crucible-ml is
// installed), and it is the host's module instance: the plugin's CrucibleError is the host's class.
const PLUGIN = `import { CrucibleError, definePlugin } from 'crucible-ml';
import { sha256 } from 'crucible-ml/util';
const same: boolean = CrucibleError === (globalThis as { hostError?: unknown }).hostError && sha256('x').length === 64;
export default definePlugin({ kind: 'scorer', name: 'copy-probe', version: '1.0.0', apiVersion: '^1', description: same ? 'same copy' : 'another copy',
  configSchema: { type: 'object' } as const, create: () => ({ score: async () => [] }) });
`;

// Its folder's package.json may say "type": "module" or nothing: a .ts plugin is an ES module either way
// (compiled to CommonJS, its require() of crucible-ml would miss Node 20's resolve hooks).
const CASES = [
  { where: 'the repository', packageJson: '{ "type": "module" }' },
  { where: 'a folder outside it', packageJson: '{ "type": "module" }' },
  { where: 'the repository', packageJson: '{ "name": "plain-folder" }' },
  { where: 'a folder outside it', packageJson: '{ "name": "plain-folder" }' },
];

for (const { where, packageJson } of CASES) {
  test(`a .ts plugin outside the repository gets the built host's own crucible-ml (host started in ${where}, package.json ${packageJson})`, () => {
    const dir = tempDir('crucible-copy-probe-');
    writeFileSync(join(dir, 'probe.ts'), PLUGIN);
    writeFileSync(join(dir, 'package.json'), packageJson);
    const script = `const host = await import(${JSON.stringify(join(root, 'dist', 'core', 'index.js'))});
globalThis.hostError = host.CrucibleError;
const { loadPlugin } = await import(${JSON.stringify(join(root, 'dist', 'core', 'kernel', 'registry', 'load.js'))});
const { plugin } = await loadPlugin('scorer', './probe.ts', { baseDir: ${JSON.stringify(dir)} });
console.log(plugin.description);`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: where === 'the repository' ? root : dir, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    assert.is(run.status, 0, run.stderr);
    assert.is(run.stdout.trim(), 'same copy');
  });
}

test.run();
