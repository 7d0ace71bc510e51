// Issue 15: a full disk or a read-only runs folder is CRUCIBLE_E_STORAGE (exit 1), never a raw stack, and a
// run that meets it stops its fork-servers at once. Uses real small tmpfs mounts (CI runs as root).
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from '../../core/server/start.js';
import { isCrucibleError } from '../../core/kernel/errors.js';
import { fixtures, tempDir } from '../helpers/kernel.js';
import { alive } from '../server/helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'core', 'cli', 'main.ts');
const isRoot = process.getuid?.() === 0;
const mounts: string[] = [];

function mountTmpfs(size: string): string {
  const dir = tempDir('crucible-tmpfs-');
  const res = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`mount failed: ${res.stderr}`);
  mounts.push(dir);
  return dir;
}

function remountReadOnly(dir: string): void {
  const res = spawnSync('mount', ['-o', 'remount,ro', dir], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`remount failed: ${res.stderr}`);
}

test.after(() => {
  for (const dir of mounts) {
    spawnSync('umount', ['-l', dir]);
    rmSync(dir, { recursive: true, force: true });
  }
});

/** `crucible run` as a child process; a hang (the bug this guards against) fails after 120 s instead of 10 minutes. */
function cli(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, CLI, ...args], { cwd: ROOT, env: { ...process.env, CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', () => undefined);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`crucible ${args.join(' ')} still running after 120 s: ${stderr}`));
    }, 120_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

function assertCodedStorageError(result: { code: number | null; stderr: string }): void {
  assert.is(result.code, 1, result.stderr);
  assert.match(result.stderr, /^CRUCIBLE_E_STORAGE: /m);
  assert.not.match(result.stderr, /SqliteError|ENOSPC: no space|\n\s+at /, 'no raw error or stack');
}

test('disk full while the python executor runs: CRUCIBLE_E_STORAGE, exit 1, fork-servers gone', async () => {
  if (!isRoot) return console.log('  (skipped: needs root for mount)');
  const disk = mountTmpfs('2m');
  const work = tempDir('crucible-full-');
  const pidFile = join(work, 'pids.json');
  const manifest = join(work, 'fill.json');
  writeFileSync(manifest, JSON.stringify({
    name: 'disk-full',
    dataset: { plugin: join(fixtures, 'plugins', 'toy-dataset.ts'), config: { size: 40 } },
    stages: {
      generator: { plugin: join(fixtures, 'plugins', 'toy-generator.ts'), config: { n: 4 } },
      executor: { plugin: join(fixtures, 'plugins', 'disk-filling-executor.ts'), config: { ballast: join(disk, 'ballast'), pidFile } },
      scorer: { plugin: 'test-pass-rate' },
    },
    output: { report: false },
  }));
  const result = await cli(['run', manifest, '--runs-dir', join(disk, 'runs')]);
  assertCodedStorageError(result);
  const pids = JSON.parse(readFileSync(pidFile, 'utf8')) as number[];
  assert.ok(pids.length > 0, 'fork-servers were running when the disk filled');
  for (const pid of pids) assert.not.ok(alive(pid), `fork-server ${pid} outlived the run`);
});

test('read-only runs folder (existing, or to be created): CRUCIBLE_E_STORAGE, exit 1', async () => {
  if (!isRoot) return console.log('  (skipped: needs root for mount)');
  const disk = mountTmpfs('8m');
  const toy = join(fixtures, 'manifests', 'toy.json');
  const first = await cli(['run', toy, '--runs-dir', join(disk, 'runs')]);
  assert.is(first.code, 0, first.stderr);
  remountReadOnly(disk);
  assertCodedStorageError(await cli(['run', toy, '--runs-dir', join(disk, 'runs')]));
  assertCodedStorageError(await cli(['run', toy, '--runs-dir', join(disk, 'new-runs')]));
  // The server refuses to start on it with the same code.
  try {
    await startServer({ port: 0, runsDir: join(disk, 'new-runs'), token: 'test-token-0123456789abcdef', logLevel: 'silent' });
    assert.unreachable('the server started on a read-only runs folder');
  } catch (error) {
    assert.ok(isCrucibleError(error) && error.code === 'CRUCIBLE_E_STORAGE', String(error));
  }
  assert.not.ok(existsSync(join(disk, 'new-runs')));
});

test.run();
