// Installed plugin packages are found by the "crucible-plugin" keyword in the project's node_modules and listed
// with kind, version and schema; other packages are ignored; a broken one is listed with its error, not dropped.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import '../../core/builtins.js';
import { discoverPluginPackages } from '../../core/catalog/discover.js';
import { listPlugins } from '../../core/catalog/list.js';
import { tempDir } from '../helpers/kernel.js';

const PLUGIN = `import { definePlugin } from 'crucible-ml';
export default definePlugin({ kind: 'scorer', name: 'length-scorer', version: '2.1.0', apiVersion: '^1', description: 'shorter is better',
  configSchema: { type: 'object', properties: { scale: { type: 'number', default: 1 } } },
  create: () => ({ score: async (_p, candidates) => candidates.map(() => 1) }) });
`;

function installed(project: string, folder: string, packageJson: string, index?: string): void {
  const dir = join(project, 'node_modules', folder);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), packageJson);
  if (index) writeFileSync(join(dir, 'index.js'), index);
}

function project(): string {
  const dir = tempDir('crucible-discovery-');
  installed(dir, '@acme/crucible-length', JSON.stringify({ name: '@acme/crucible-length', version: '2.1.0', type: 'module', keywords: ['crucible-plugin'], exports: './index.js' }), PLUGIN);
  installed(dir, 'left-pad', JSON.stringify({ name: 'left-pad', version: '1.3.0', keywords: ['pad'] }), 'module.exports = 1;');
  installed(dir, 'crucible-plugin-broken', JSON.stringify({ name: 'crucible-plugin-broken', version: '0.1.0', type: 'module', keywords: ['crucible-plugin'], exports: './index.js' }), 'export default { kind: "pairing" };');
  installed(dir, 'unreadable', '{ "name": "unreadable", ');
  return dir;
}

test('discovery finds packages by keyword (scoped too), skips others and reports an unreadable package.json', () => {
  const dir = project();
  const found = discoverPluginPackages(dir);
  assert.equal(found.map((p) => p.name), ['@acme/crucible-length', 'crucible-plugin-broken', 'unreadable']);
  assert.match(found[2].error!, join(dir, 'node_modules', 'unreadable', 'package.json'));
  assert.equal(discoverPluginPackages(tempDir()), [], 'a project without node_modules has none');
});

test('discovery sees what a manifest in the folder can name: ancestors\' node_modules too, the nearest copy of a name first', () => {
  const outer = project();
  const inner = join(outer, 'experiments', 'a');
  installed(inner, '@acme/crucible-length', JSON.stringify({ name: '@acme/crucible-length', version: '3.0.0', type: 'module', keywords: ['crucible-plugin'], exports: './index.js' }), PLUGIN);
  const found = discoverPluginPackages(join(inner, 'manifests'));
  assert.equal(found.map((p) => `${p.name}@${p.version}`), ['@acme/crucible-length@3.0.0', 'crucible-plugin-broken@0.1.0', 'unreadable@']);
});

test('listPlugins describes an installed package with its schema, after the built-ins; a broken one keeps its error', async () => {
  const dir = project();
  const listed = await listPlugins({ projectDir: dir });
  const packages = listed.filter((p) => p.source === 'package');
  assert.is(packages.length, 3);
  const length = packages.find((p) => p.package === '@acme/crucible-length')!;
  assert.equal({ kind: length.kind, name: length.name, version: length.version, error: length.error }, { kind: 'scorer', name: 'length-scorer', version: '2.1.0', error: undefined });
  assert.equal(length.configSchema, { type: 'object', properties: { scale: { type: 'number', default: 1 } } });
  assert.match(packages.find((p) => p.package === 'crucible-plugin-broken')!.error!, 'CRUCIBLE_E_PLUGIN_INVALID');
  assert.ok(listed.findIndex((p) => p.source === 'package') > listed.findIndex((p) => p.name === 'all-pairs'));
  assert.not.ok((await listPlugins()).some((p) => p.source === 'package'), 'without a project only the built-ins');
});

test.run();
