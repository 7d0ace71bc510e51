// The SQLite index of runs shared by the CLI and the server: states, timestamps, manifest hash, headline metrics,
// and the durable queue (QUEUED runs in submission order).
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { currentOwner, ownerAlive, sameOwner, type OwnerRole, type RunOwner } from './run-owner.js';

import type { RunState } from '../kernel/runner/run-storage.js';

export { RUN_STATES, type RunState } from '../kernel/runner/run-storage.js';
export const FINAL_STATES: readonly RunState[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

export interface RunRow {
  id: string;
  name: string;
  state: RunState;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  manifestHash: string;
  headline: Record<string, number> | null;
  error: { code: string; message: string } | null;
  idempotencyKey: string | null;
  /** True when a server restart found this run RUNNING (it was interrupted). */
  interrupted: boolean;
  /** The process that last started executing the run (null before it first ran). */
  owner: RunOwner | null;
  tags: string[];
  metadata: Record<string, string>;
}

interface RawRow {
  id: string;
  name: string;
  state: RunState;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  manifest_hash: string;
  headline_json: string | null;
  error_json: string | null;
  idempotency_key: string | null;
  interrupted: number;
  owner_pid: number | null;
  owner_host: string | null;
  owner_start: string | null;
  owner_role: string | null;
  tags_json?: string | null;
  metadata_json?: string | null;
}

const fromRaw = (r: RawRow): RunRow => ({
  id: r.id,
  name: r.name,
  state: r.state,
  createdAt: r.created_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  manifestHash: r.manifest_hash,
  headline: r.headline_json ? JSON.parse(r.headline_json) : null,
  error: r.error_json ? JSON.parse(r.error_json) : null,
  idempotencyKey: r.idempotency_key,
  interrupted: r.interrupted === 1,
  owner: r.owner_pid === null ? null : { pid: r.owner_pid, host: r.owner_host ?? '', start: r.owner_start, role: r.owner_role === 'queue' ? 'queue' : 'executor' },
  tags: r.tags_json ? JSON.parse(r.tags_json) : [],
  metadata: r.metadata_json ? JSON.parse(r.metadata_json) : {},
});

/** What a claim found: the run is now ours (`row`), or a live process is executing it (`heldBy`). */
export type Claim = { row: RunRow; heldBy?: undefined } | { row?: undefined; heldBy: RunOwner };

const ACTIVE_STATES = ['RUNNING', 'CANCELLING'];

export interface ListFilter {
  state?: RunState;
  name?: string;
  /** Runs carrying every one of these tags. */
  tags?: string[];
  /** Runs whose metadata has each of these key = value. */
  metadata?: Record<string, string>;
  limit?: number;
  offset?: number;
}

export class RunIndex {
  private readonly db: Database.Database;

  constructor(file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`CREATE TABLE IF NOT EXISTS runs (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      state TEXT NOT NULL,
      created_at TEXT NOT NULL,
      started_at TEXT,
      finished_at TEXT,
      manifest_hash TEXT NOT NULL,
      headline_json TEXT,
      error_json TEXT,
      idempotency_key TEXT UNIQUE,
      interrupted INTEGER NOT NULL DEFAULT 0,
      owner_pid INTEGER,
      owner_host TEXT,
      owner_start TEXT,
      owner_role TEXT
    );
    CREATE INDEX IF NOT EXISTS runs_state ON runs(state, created_at);`);
    // Index files written before runs recorded their owner gain the columns (rows without an owner are treated
    // as they were then: interrupted when found RUNNING at a server start).
    const columns = new Set((this.db.prepare('PRAGMA table_info(runs)').all() as Array<{ name: string }>).map((c) => c.name));
    for (const [name, type] of [['owner_pid', 'INTEGER'], ['owner_host', 'TEXT'], ['owner_start', 'TEXT'], ['owner_role', 'TEXT'], ['tags_json', 'TEXT'], ['metadata_json', 'TEXT']]) {
      if (!columns.has(name)) this.db.exec(`ALTER TABLE runs ADD COLUMN ${name} ${type}`);
    }
  }

  /** A new run; inserted RUNNING, it is owned by this process from the start (no queue can take it meanwhile). */
  insert(row: { id: string; name: string; state: RunState; manifestHash: string; idempotencyKey?: string }): void {
    const now = new Date().toISOString();
    const owner = row.state === 'RUNNING' ? currentOwner() : null;
    this.db
      .prepare('INSERT INTO runs (id, name, state, created_at, started_at, manifest_hash, idempotency_key, owner_pid, owner_host, owner_start, owner_role) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(row.id, row.name, row.state, now, owner ? now : null, row.manifestHash, row.idempotencyKey ?? null, owner?.pid ?? null, owner?.host ?? null, owner?.start ?? null, owner?.role ?? null);
  }

  /** Replaces a run's tags and/or metadata (labels for finding runs; not part of the experiment). */
  setLabels(id: string, labels: { tags?: string[]; metadata?: Record<string, string> }): void {
    if (labels.tags) this.db.prepare('UPDATE runs SET tags_json = ? WHERE id = ?').run(JSON.stringify([...new Set(labels.tags)]), id);
    if (labels.metadata) this.db.prepare('UPDATE runs SET metadata_json = ? WHERE id = ?').run(JSON.stringify(labels.metadata), id);
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM runs WHERE id = ?').run(id);
  }

  get(id: string): RunRow | undefined {
    const r = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RawRow | undefined;
    return r && fromRaw(r);
  }

  byIdempotencyKey(key: string): RunRow | undefined {
    const r = this.db.prepare('SELECT * FROM runs WHERE idempotency_key = ?').get(key) as RawRow | undefined;
    return r && fromRaw(r);
  }

  list(filter: ListFilter = {}): { runs: RunRow[]; total: number } {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.state) (where.push('state = ?'), args.push(filter.state));
    if (filter.name) (where.push('name = ?'), args.push(filter.name));
    for (const tag of filter.tags ?? []) (where.push('EXISTS (SELECT 1 FROM json_each(runs.tags_json) WHERE json_each.value = ?)'), args.push(tag));
    for (const [key, value] of Object.entries(filter.metadata ?? {})) (where.push("json_extract(runs.metadata_json, '$.' || json_quote(?)) = ?"), args.push(key, value));
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM runs ${clause}`).get(...args) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT * FROM runs ${clause} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`)
      .all(...args, filter.limit ?? 50, filter.offset ?? 0) as RawRow[];
    return { runs: rows.map(fromRaw), total };
  }

  setState(id: string, state: RunState, extra: { error?: { code: string; message: string } | null; headline?: Record<string, number>; ownerRole?: OwnerRole } = {}): void {
    const now = new Date().toISOString();
    const sets = ['state = ?'];
    const args: unknown[] = [state];
    if (state === 'RUNNING') {
      // Whoever moves a run to RUNNING executes it (or, for the server's queue, hands it to a worker it starts).
      const me = currentOwner(extra.ownerRole);
      sets.push('started_at = COALESCE(started_at, ?)', 'interrupted = 0', 'owner_pid = ?', 'owner_host = ?', 'owner_start = ?', 'owner_role = ?');
      args.push(now, me.pid, me.host, me.start, me.role);
    }
    if (FINAL_STATES.includes(state)) sets.push('finished_at = ?'), args.push(now);
    if (extra.error !== undefined) sets.push('error_json = ?'), args.push(extra.error ? JSON.stringify(extra.error) : null);
    if (extra.headline) sets.push('headline_json = ?'), args.push(JSON.stringify(extra.headline));
    this.db.prepare(`UPDATE runs SET ${sets.join(', ')} WHERE id = ?`).run(...args, id);
  }

  /** Atomically moves the oldest QUEUED run to RUNNING (the queue's pop). */
  claimNext(): RunRow | undefined {
    // IMMEDIATE: the write lock is taken before the read, so two processes cannot pop the same run.
    return this.db.transaction(() => {
      const r = this.db.prepare("SELECT * FROM runs WHERE state = 'QUEUED' ORDER BY created_at, id LIMIT 1").get() as RawRow | undefined;
      if (!r) return undefined;
      this.setState(r.id, 'RUNNING', { ownerRole: 'queue' });
      return this.get(r.id);
    }).immediate();
  }

  /**
   * Takes run `id` for execution by this process (RUNNING, owned by us), unless another live process is executing
   * it. `handedOverBy` is the pid that claimed the run for us (the server, for its workers).
   */
  claim(id: string, handedOverBy?: number): Claim | undefined {
    return this.db.transaction((): Claim | undefined => {
      const row = this.get(id);
      if (!row) return undefined;
      const owner = row.owner;
      const handedToUs = owner?.role === 'queue' && owner.pid === handedOverBy;
      if (ACTIVE_STATES.includes(row.state) && owner && ownerAlive(owner) && !sameOwner(owner, currentOwner()) && !handedToUs) {
        return { heldBy: owner };
      }
      this.setState(id, 'RUNNING');
      return { row: this.get(id)! };
    }).immediate();
  }

  /**
   * RUNNING/CANCELLING runs whose owner is gone were interrupted (a crash, a kill); they go back to the queue or
   * stay resumable. Runs a live process (a `crucible run` in a terminal) is executing are left alone. A server
   * calls this at start and then periodically, skipping the runs its own workers hold.
   */
  recoverInterrupted(requeue: boolean, skip: ReadonlySet<string> = new Set()): RunRow[] {
    const orphaned = () =>
      (this.db.prepare("SELECT * FROM runs WHERE state IN ('RUNNING', 'CANCELLING')").all() as RawRow[])
        .map(fromRaw)
        .filter((r) => !skip.has(r.id) && (!r.owner || !ownerAlive(r.owner)));
    if (orphaned().length === 0) return []; // the usual case: no write lock taken
    return this.db.transaction(() => {
      const rows = orphaned(); // again, under the lock: a `crucible resume` may have claimed one meanwhile
      for (const r of rows) {
        if (r.state === 'CANCELLING') this.setState(r.id, 'CANCELLED');
        else this.db.prepare(`UPDATE runs SET state = ?, interrupted = 1 WHERE id = ?`).run(requeue ? 'QUEUED' : 'FAILED', r.id);
        if (!requeue && r.state === 'RUNNING') {
          this.setState(r.id, 'FAILED', { error: { code: 'CRUCIBLE_E_RUN_STATE', message: 'interrupted: the process executing it stopped (a crash or a kill); resume it' } });
        }
      }
      return rows;
    }).immediate();
  }

  close(): void {
    this.db.close();
  }
}
