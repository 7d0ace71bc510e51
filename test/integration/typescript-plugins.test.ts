// `.ts` plugin files outside the repository load in the built CLI and in `crucible serve`'s run workers (plain
// Node, no tsx on the command line): the kernel turns TypeScript support on when Node refuses a `.ts` file.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeOutsideProject } from '../fixtures/outside-plugins/plugins.js';
import { readLines, tempDir } from '../helpers/kernel.js';

const root = join(import.meta.dirname, '..', '..');
const cli = join(root, 'dist', 'core', 'cli', 'main.js');

function outsideProject(): { dir: string; manifest: Record<string, unknown> } {
  const dir = tempDir('crucible-outside-');
  return { dir, manifest: writeOutsideProject(dir, 'outside-ts', { plugin: 'all-pairs', config: { minGap: 0.5 } }) };
}

// Plain node without tsx in its options (tests run under `--import tsx`, which children must not inherit).
const plainEnv = () => ({ ...process.env, NODE_OPTIONS: '', CI: '1' });

test('the built CLI runs a manifest whose plugins are .ts files outside the repository', () => {
  assert.ok(existsSync(cli), 'run `npm run build` first: this test checks the built CLI');
  const { dir } = outsideProject();
  const run = spawnSync(process.execPath, [cli, 'run', join(dir, 'manifest.json'), '--runs-dir', join(dir, 'runs')], { encoding: 'utf8', env: plainEnv(), cwd: dir });
  assert.is(run.status, 0, run.stderr);
  const id = readdirSync(join(dir, 'runs')).find((d) => d.includes('outside-ts'))!;
  const pairs = readLines(join(dir, 'runs', id, 'stages', 'pair', 'preferences.jsonl'));
  assert.ok(pairs.length > 0, 'pairs were made from the .ts plugins\' candidates');
  assert.ok(pairs.every((l) => JSON.parse(l).chosen === '    return 1'));
});

// A plugin project without "type": "module" (npm init's package.json): its .ts plugin imports a value from
// crucible-ml and a helper file beside it, and still loads as an ES module against the host's crucible-ml.
const PLAIN_FOLDER_DATASET = `import { definePlugin } from 'crucible-ml';
import { problemsOf } from './problems';
export default definePlugin({
  kind: 'dataset', name: 'plain-folder-dataset', version: '1.0.0', apiVersion: '^1',
  configSchema: { type: 'object', properties: { size: { type: 'integer', default: 4 } } } as const,
  create: (config) => ({ load: async () => problemsOf(config.size) }),
});
`;

const PLAIN_FOLDER_PROBLEMS = `import type { Problem } from 'crucible-ml';
export const problemsOf = (size: number): Problem[] =>
  Array.from({ length: size }, (_, k): Problem => ({ id: 'plain/' + k, prompt: 'def f():\\n', entryPoint: 'f', tests: [{ id: 't0', code: 'assert f() == 1' }], language: 'python', meta: {} }));
`;

test('the built CLI runs a .ts plugin that imports crucible-ml values from a folder whose package.json has no "type"', () => {
  const { dir, manifest } = outsideProject();
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'my-crucible-plugins', version: '1.0.0' }));
  writeFileSync(join(dir, 'plugins', 'dataset.ts'), PLAIN_FOLDER_DATASET);
  writeFileSync(join(dir, 'plugins', 'problems.ts'), PLAIN_FOLDER_PROBLEMS);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, name: 'plain-folder', dataset: { plugin: './plugins/dataset.ts', config: { size: 10 } } }));
  const run = spawnSync(process.execPath, [cli, 'run', join(dir, 'manifest.json'), '--runs-dir', join(dir, 'runs')], { encoding: 'utf8', env: plainEnv(), cwd: dir });
  assert.is(run.status, 0, run.stderr);
  const id = readdirSync(join(dir, 'runs')).find((d) => d.includes('plain-folder'))!;
  const pairs = readLines(join(dir, 'runs', id, 'stages', 'pair', 'preferences.jsonl'));
  assert.ok(pairs.length > 0 && pairs.every((l) => JSON.parse(l).prompt === 'def f():\n'), 'pairs come from the plugin\'s problems');
});

test('crucible serve (built) runs a submitted manifest naming .ts plugins in an allowed folder', async () => {
  const { dir, manifest } = outsideProject();
  const token = 'outside-ts-token';
  const server = spawn(process.execPath, [cli, 'serve', '--port', '0', '--runs-dir', join(dir, 'runs'), '--manifests-dir', dir, '--allow-plugin-dir', join(dir, 'plugins')], {
    env: { ...plainEnv(), CRUCIBLE_TOKEN: token }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  server.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  server.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  try {
    const url = await until(() => /listening on (\S+)/.exec(out)?.[1], 60_000, () => `server did not start: ${err}`);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const submitted = await fetch(`${url}/v1/runs`, { method: 'POST', headers, body: JSON.stringify(manifest) });
    const body = (await submitted.json()) as { id: string };
    assert.is(submitted.status, 202, JSON.stringify(body));
    const final = await until(async () => {
      const row = (await (await fetch(`${url}/v1/runs/${body.id}`, { headers })).json()) as { state: string; error?: unknown };
      return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(row.state) ? row : undefined;
    }, 120_000, () => 'the run did not finish');
    assert.is(final.state, 'SUCCEEDED', JSON.stringify(final.error));
    assert.ok(readLines(join(dir, 'runs', body.id, 'stages', 'pair', 'preferences.jsonl')).length > 0);
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => (server.exitCode !== null ? r(null) : server.once('exit', r)));
  }
});

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number, why: () => string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(why());
    await new Promise((r) => setTimeout(r, 100));
  }
}

test.run();
