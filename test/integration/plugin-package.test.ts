// The packaging acceptance test: `npm pack` crucible-ml and the example plugin package (built with tsc against
// the installed crucible-ml, as its author would), install both into a temporary project without the network,
// and run a manifest that names the plugin by its package name with the installed `crucible` command; the
// project's `crucible plugins` lists the package with its kind and options.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeOutsideProject } from '../fixtures/outside-plugins/plugins.js';
import { readLines, tempDir } from '../helpers/kernel.js';

const root = join(import.meta.dirname, '..', '..');
const example = join(root, 'examples', 'third-party-plugin');
const PLUGIN_PACKAGE = 'crucible-plugin-shortest-passing';
// Plain node: the installed CLI runs from the project's node_modules, never through this repository's tsx.
const env = { ...process.env, NODE_OPTIONS: '', CI: '1', npm_config_update_notifier: 'false' };

function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8' });
  assert.is(result.status, 0, `${command} ${args.join(' ')} in ${cwd}\n${result.stdout}\n${result.stderr}`);
  return result;
}

/** `npm pack` into `into`; returns the tarball's file name. */
function pack(dir: string, into: string): string {
  const out = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', into], dir).stdout;
  return (JSON.parse(out) as Array<{ filename: string }>)[0].filename;
}

const integrity = (file: string) => `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;

/**
 * A lockfile for the project: crucible-ml's tarball plus crucible-ml's runtime dependencies exactly as this
 * repository's lockfile pins them. With every version pinned, `npm ci --offline` takes each package from
 * npm's cache (filled by the repository's own `npm ci`); without it npm would need the registry's metadata.
 */
function writeLockfile(project: string, tarball: string): void {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, Record<string, unknown>> };
  const self = lock.packages[''];
  const packages: Record<string, unknown> = { '': { name: 'pack-probe', dependencies: { 'crucible-ml': `file:${tarball}` } } };
  for (const [path, entry] of Object.entries(lock.packages)) if (path !== '' && entry.dev !== true) packages[path] = entry;
  packages['node_modules/crucible-ml'] = {
    version: self.version, resolved: `file:${tarball}`, integrity: integrity(join(project, tarball)), license: self.license,
    dependencies: self.dependencies, optionalDependencies: self.optionalDependencies, bin: self.bin, engines: self.engines,
  };
  writeFileSync(join(project, 'package-lock.json'), JSON.stringify({ name: 'pack-probe', lockfileVersion: 3, requires: true, packages }, null, 2));
}

test('npm pack crucible-ml and the example plugin, install both into a temporary project, run a manifest naming the plugin by package name', () => {
  assert.ok(existsSync(join(root, 'dist', 'core', 'index.js')), 'run `npm run build` first: the package ships dist/');
  const work = tempDir('crucible-pack-');
  const project = join(work, 'project');
  mkdirSync(project);
  const crucibleTarball = pack(root, project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'pack-probe', private: true, type: 'module', dependencies: { 'crucible-ml': `file:${crucibleTarball}` } }));
  writeLockfile(project, crucibleTarball);
  // Install scripts would fetch prebuilt binaries (better-sqlite3, tfjs-node) from the internet; the sqlite
  // binding is the one this repository's `npm ci` compiled for the same version and Node.
  run('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], project);
  const binding = join('node_modules', 'better-sqlite3', 'build', 'Release');
  mkdirSync(join(project, binding), { recursive: true });
  copyFileSync(join(root, binding, 'better_sqlite3.node'), join(project, binding, 'better_sqlite3.node'));

  // The plugin package, built as its author would: its sources and tsconfig, crucible-ml installed.
  const author = join(project, 'author');
  for (const entry of ['package.json', 'tsconfig.json', 'README.md', 'src']) cpSync(join(example, entry), join(author, entry), { recursive: true });
  run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], author);
  const pluginTarball = pack(author, project);
  run('npm', ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', `./${pluginTarball}`], project);

  writeOutsideProject(project, 'packaged-plugin', { plugin: PLUGIN_PACKAGE, config: { maxPairsPerProblem: 1 } });
  const crucible = join(project, 'node_modules', '.bin', 'crucible');
  run(crucible, ['run', 'manifest.json', '--runs-dir', 'runs'], project);
  const id = readdirSync(join(project, 'runs')).find((d) => d.includes('packaged-plugin'))!;
  const pairs = readLines(join(project, 'runs', id, 'stages', 'pair', 'preferences.jsonl')).map((l) => JSON.parse(l));
  assert.ok(pairs.length > 0, 'the packaged plugin made pairs');
  assert.ok(pairs.every((p) => p.chosen === '    return 1' && p.why === 'shortest passing vs failing'));

  const listed = JSON.parse(run(crucible, ['plugins', '--json'], project).stdout) as Array<{ name: string; kind: string; source: string; package?: string; configSchema: { properties: Record<string, unknown> } }>;
  const entry = listed.find((p) => p.package === PLUGIN_PACKAGE);
  assert.ok(entry, 'crucible plugins lists the installed package');
  assert.is(entry.kind, 'pairing');
  assert.equal(Object.keys(entry.configSchema.properties), ['passThreshold', 'maxPairsPerProblem']);
});

test.run();
