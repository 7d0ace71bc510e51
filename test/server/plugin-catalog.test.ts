// GET /v1/plugins lists the catalogue `crucible plugins` lists (one function, core/catalog/list.ts): built-ins
// and the plugin packages installed for the server's manifests folder, with schemas and versions. Inside the
// trust boundary: the folder is the operator's (a query cannot point it elsewhere), a package outside
// --allow-package is listed by name and version but never imported, and no host path or loader text leaks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import '../../core/builtins.js';
import { listPlugins, type PluginDescription } from '../../core/catalog/list.js';
import type { StartedServer } from '../../core/server/start.js';
import { tempDir } from '../helpers/kernel.js';
import { api, serve } from './helpers.js';

const LENGTH_PLUGIN = `import { definePlugin } from 'crucible-ml';
export default definePlugin({ kind: 'scorer', name: 'length-scorer', version: '2.1.0', apiVersion: '^1', description: 'shorter is better',
  configSchema: { type: 'object', additionalProperties: false, properties: { scale: { type: 'number', default: 1 } } },
  create: () => ({ score: async (_p, candidates) => candidates.map(() => 1) }) });
`;

// Importing this package would leave a file behind: the server must never do it.
const UNALLOWED_PLUGIN = `import { writeFileSync } from 'node:fs';
writeFileSync(new URL('./imported', import.meta.url), 'imported');
export default { kind: 'scorer' };
`;

function install(project: string, name: string, version: string, index: string): string {
  const dir = join(project, 'node_modules', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version, type: 'module', keywords: ['crucible-plugin'], exports: './index.js' }));
  writeFileSync(join(dir, 'index.js'), index);
  return dir;
}

const project = tempDir('crucible-catalog-');
const manifestsDir = join(project, 'manifests');
mkdirSync(manifestsDir);
install(project, '@acme/crucible-length', '2.1.0', LENGTH_PLUGIN);
const unallowedDir = install(project, 'crucible-plugin-unallowed', '0.3.0', UNALLOWED_PLUGIN);
install(project, 'crucible-plugin-broken', '0.1.0', 'export default { kind: "pairing" };');
const elsewhere = tempDir('crucible-catalog-elsewhere-');
install(elsewhere, 'crucible-plugin-elsewhere', '9.9.9', LENGTH_PLUGIN);

let server: StartedServer;
let url: string;

test.before(async () => {
  server = await serve({ manifestsDir, allowPackages: ['@acme/crucible-length', 'crucible-plugin-broken'] });
  url = server.url;
});
test.after(async () => {
  await server.close();
});

const byPackage = (plugins: PluginDescription[], name: string) => plugins.find((p) => p.package === name)!;

test('GET /v1/plugins lists the installed packages after the built-ins: allowed ones with their schema, others by name only', async () => {
  const res = await api(url, '/v1/plugins');
  assert.is(res.status, 200);
  const plugins = res.body.plugins as PluginDescription[];
  assert.equal(plugins.filter((p) => p.source === 'package').map((p) => p.package), ['@acme/crucible-length', 'crucible-plugin-broken', 'crucible-plugin-unallowed']);
  const length = byPackage(plugins, '@acme/crucible-length');
  assert.equal(length, {
    kind: 'scorer', name: 'length-scorer', version: '2.1.0', apiVersion: '^1', description: 'shorter is better', source: 'package', package: '@acme/crucible-length', allowed: true,
    configSchema: { type: 'object', additionalProperties: false, properties: { scale: { type: 'number', default: 1 } } },
  });
  assert.equal(byPackage(plugins, 'crucible-plugin-unallowed'), { kind: 'unknown', name: 'crucible-plugin-unallowed', version: '0.3.0', apiVersion: '', configSchema: null, source: 'package', package: 'crucible-plugin-unallowed', allowed: false });
  assert.not.ok(existsSync(join(unallowedDir, 'imported')), 'a package outside --allow-package is never imported');
  const broken = byPackage(plugins, 'crucible-plugin-broken');
  assert.equal([broken.allowed, broken.error], [true, 'failed to load (see the server log)']);
  assert.ok(plugins.findIndex((p) => p.source === 'package') > plugins.findIndex((p) => p.name === 'all-pairs'));
  assert.not.ok(JSON.stringify(res.body).includes(project), 'no host path in the listing');
});

test('the listing is the CLI catalogue for the same folder (one function), apart from the allowlist', async () => {
  const http = (await api(url, '/v1/plugins')).body.plugins as PluginDescription[];
  const cli = JSON.parse(JSON.stringify(await listPlugins({ projectDir: manifestsDir }))) as PluginDescription[];
  const comparable = (p: PluginDescription) => p.error === undefined && p.allowed !== false;
  const strip = ({ allowed: _allowed, ...rest }: PluginDescription) => rest;
  assert.equal(http.filter(comparable).map(strip), cli.filter((p) => p.error === undefined && p.package !== 'crucible-plugin-unallowed'));
  assert.ok(existsSync(join(unallowedDir, 'imported')), 'the CLI (a local user) does import every package');
});

test('a request cannot point the catalogue at another folder', async () => {
  for (const query of [`?projectDir=${encodeURIComponent(elsewhere)}`, `?project=${encodeURIComponent(elsewhere)}`, `?manifestsDir=${encodeURIComponent(elsewhere)}`]) {
    const res = await api(url, `/v1/plugins${query}`);
    assert.is(res.status, 200);
    assert.not.ok((res.body.plugins as PluginDescription[]).some((p) => p.package === 'crucible-plugin-elsewhere'), query);
  }
});

test('a listed allowed package is what a submitted manifest names; an unallowed one is refused', async () => {
  const manifest = (scorer: string) => ({ name: 'catalog', seed: 1, dataset: { plugin: 'builtin' }, stages: { scorer: { plugin: scorer } } });
  const ok = await api(url, '/v1/manifests/validate', { method: 'POST', body: JSON.stringify(manifest('@acme/crucible-length')) });
  assert.is(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.body.manifest.stages.scorer.config, { scale: 1 });
  const refused = await api(url, '/v1/manifests/validate', { method: 'POST', body: JSON.stringify(manifest('crucible-plugin-unallowed')) });
  assert.is(refused.status, 400);
});

test.run();
