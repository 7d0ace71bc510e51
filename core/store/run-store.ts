// One folder per run under the runs directory, plus the SQLite index; the CLI and the server share both.
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { CrucibleError } from '../kernel/errors.js';
import { writeJsonAtomic } from '../util/atomic.js';
import { hashJson } from '../util/hash.js';
import type { RunRecord, RunStateExtra, RunStorage } from '../kernel/runner/run-storage.js';
import { asStorageError } from './storage-error.js';
import { RunIndex, type RunRow, type RunState } from './run-index.js';

export type { RunRecord } from '../kernel/runner/run-storage.js';

/** Longest part of a run id taken from the run's name: ids stay well under URL-parameter and file-name limits. */
export const RUN_ID_NAME_CHARS = 48;

/** The name as it appears in run ids: its safe characters, cut to RUN_ID_NAME_CHARS (the full name stays in the index). */
export function runIdLabel(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return (safe.slice(0, RUN_ID_NAME_CHARS).replace(/[._-]+$/, '') || 'run');
}

export class RunStore implements RunStorage {
  readonly root: string;
  readonly index: RunIndex;

  constructor(runsDir: string) {
    this.root = resolve(runsDir);
    mkdirSync(this.root, { recursive: true });
    this.index = new RunIndex(join(this.root, 'crucible.db'));
  }

  get cacheDir(): string {
    return join(this.root, '.cache');
  }

  asStorageError(error: unknown): unknown {
    return asStorageError(error, this.root);
  }

  runDir(id: string): string {
    if (!/^[A-Za-z0-9._-]+$/.test(id)) throw new CrucibleError('CRUCIBLE_E_RUN_NOT_FOUND', `no run "${id}"`);
    return join(this.root, id);
  }

  create(manifest: Record<string, unknown> & { name: string }, meta: { baseDir: string; sources: string[]; idempotencyKey?: string; state?: RunState }): RunRecord {
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
    const id = `${stamp}-${runIdLabel(manifest.name)}-${randomBytes(3).toString('hex')}`;
    const record: RunRecord = { id, name: manifest.name, manifest, baseDir: meta.baseDir, sources: meta.sources, createdAt: new Date().toISOString() };
    mkdirSync(this.runDir(id), { recursive: true });
    writeJsonAtomic(join(this.runDir(id), 'run.json'), record);
    writeJsonAtomic(join(this.runDir(id), 'manifest.json'), manifest);
    this.index.insert({ id, name: manifest.name, state: meta.state ?? 'QUEUED', manifestHash: hashJson(manifest), idempotencyKey: meta.idempotencyKey });
    return record;
  }

  load(id: string): RunRecord {
    const file = join(this.runDir(id), 'run.json');
    if (!existsSync(file) || !this.index.get(id)) {
      const known = this.index.list({ limit: 200 }).runs.map((r) => r.id);
      const prefix = known.find((k) => k.startsWith(id) || k.endsWith(id));
      throw CrucibleError.at('CRUCIBLE_E_RUN_NOT_FOUND', { message: `no run "${id}" in ${this.root}`, hint: prefix ? `did you mean ${prefix}?` : 'list runs with `crucible runs`' });
    }
    return JSON.parse(readFileSync(file, 'utf8')) as RunRecord;
  }

  row(id: string): RunRow {
    const row = this.index.get(id);
    if (!row) throw CrucibleError.at('CRUCIBLE_E_RUN_NOT_FOUND', { message: `no run "${id}" in ${this.root}`, hint: 'list runs with `crucible runs`' });
    return row;
  }

  /** Resolves a unique id prefix (convenient on the command line). */
  resolveId(idOrPrefix: string): string {
    if (this.index.get(idOrPrefix)) return idOrPrefix;
    const matches = readdirSync(this.root).filter((d) => d.startsWith(idOrPrefix) && this.index.get(d));
    if (matches.length === 1) return matches[0];
    throw CrucibleError.at('CRUCIBLE_E_RUN_NOT_FOUND', {
      message: matches.length ? `"${idOrPrefix}" matches ${matches.length} runs` : `no run "${idOrPrefix}" in ${this.root}`,
      hint: 'list runs with `crucible runs`',
    });
  }

  setState(id: string, state: RunState, extra?: RunStateExtra): void {
    this.index.setState(id, state, extra);
  }

  close(): void {
    this.index.close();
  }
}
