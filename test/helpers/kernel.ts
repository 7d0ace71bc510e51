// Runs a manifest through the real kernel (programmatic API) in a temporary runs folder.
import type { StageCacheOptions } from '../../core/kernel/di/container.js';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveManifest } from '../../core/index.js';
import { createRun, executeRun } from '../../core/store/session.js';
import { silentLogger } from '../../core/util/logger.js';
import { RunStore } from '../../core/store/run-store.js';

export const fixtures = join(import.meta.dirname, '..', 'fixtures');

export function tempDir(prefix = 'crucible-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function runManifest(file: string, options: { runsDir: string; sets?: string[]; cache?: StageCacheOptions }) {
  const store = new RunStore(options.runsDir);
  try {
    const resolved = await resolveManifest(file, { sets: options.sets });
    const record = createRun(store, resolved);
    const outcome = await executeRun(store, record.id, { logger: silentLogger(), cache: options.cache });
    return { id: record.id, dir: store.runDir(record.id), outcome, row: store.row(record.id) };
  } finally {
    store.close();
  }
}

export function readLines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}
