// The plugin code fingerprint in stage cache keys: a plugin folder's shipped files count, a change is seen in
// the same process (mtime), and a single local file does not hash whatever shares its folder.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPlugin } from '../../core/kernel/registry/load.js';
import { pluginCodeHash } from '../../core/kernel/registry/code-hash.js';
import { tempDir } from '../helpers/kernel.js';

const CORE = join(import.meta.dirname, '..', '..', 'core', 'index.ts');
const source = (extra = '') => `import { definePlugin } from ${JSON.stringify(CORE)};
import { factor } from './factor.ts';
export default definePlugin({ kind: 'scorer', name: 'probe', version: '1.0.0', apiVersion: '^1',
  configSchema: { type: 'object' } as const,
  create: () => ({ score: async (_p, c) => c.map(() => factor) }) });${extra}
`;

const touch = (file: string, content: string, seconds: number) => {
  writeFileSync(file, content);
  utimesSync(file, seconds, seconds);
};

test('a plugin folder: its module, its relative imports and its shipped files are hashed; edits are seen in-process', async () => {
  const dir = join(tempDir('crucible-codehash-'), 'probe');
  mkdirSync(join(dir, 'py'), { recursive: true });
  touch(join(dir, 'index.ts'), source(), 1000);
  touch(join(dir, 'factor.ts'), 'export const factor = 0.25;\n', 1000);
  touch(join(dir, 'py', 'helper.py'), 'X = 1\n', 1000);
  touch(join(dir, 'README.md'), 'docs\n', 1000);
  const loaded = await loadPlugin('scorer', join(dir, 'index.ts'), { baseDir: dir });
  const first = pluginCodeHash(loaded);
  assert.is(pluginCodeHash(loaded), first, 'stable');
  touch(join(dir, 'README.md'), 'other docs\n', 2000);
  assert.is(pluginCodeHash(loaded), first, 'docs do not count');
  touch(join(dir, 'factor.ts'), 'export const factor = 0.75;\n', 2000);
  const second = pluginCodeHash(loaded);
  assert.is.not(second, first, 'an imported module counts');
  touch(join(dir, 'py', 'helper.py'), 'X = 2\n', 3000);
  assert.is.not(pluginCodeHash(loaded), second, 'a shipped helper counts');
});

test('a single local plugin file does not hash the data beside it', async () => {
  const dir = tempDir('crucible-codehash-');
  touch(join(dir, 'probe.ts'), source().replace("import { factor } from './factor.ts';\n", 'const factor = 0.5;\n'), 1000);
  touch(join(dir, 'data.json'), '{}', 1000);
  const loaded = await loadPlugin('scorer', join(dir, 'probe.ts'), { baseDir: dir });
  const first = pluginCodeHash(loaded);
  touch(join(dir, 'data.json'), '{"changed": true}', 2000);
  assert.is(pluginCodeHash(loaded), first);
});

test.run();
