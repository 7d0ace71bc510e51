// The SQLite index of runs shared by the CLI and the server: states, timestamps, manifest hash, headline metrics,
// and the durable queue (QUEUED runs in submission order).
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export const RUN_STATES = ['QUEUED', 'RUNNING', 'CANCELLING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;
export type RunState = (typeof RUN_STATES)[number];
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
});

export interface ListFilter {
  state?: RunState;
  name?: string;
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
      interrupted INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX IF NOT EXISTS runs_state ON runs(state, created_at);`);
  }

  insert(row: { id: string; name: string; state: RunState; manifestHash: string; idempotencyKey?: string }): void {
    this.db
      .prepare('INSERT INTO runs (id, name, state, created_at, manifest_hash, idempotency_key) VALUES (?, ?, ?, ?, ?, ?)')
      .run(row.id, row.name, row.state, new Date().toISOString(), row.manifestHash, row.idempotencyKey ?? null);
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
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM runs ${clause}`).get(...args) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT * FROM runs ${clause} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`)
      .all(...args, filter.limit ?? 50, filter.offset ?? 0) as RawRow[];
    return { runs: rows.map(fromRaw), total };
  }

  setState(id: string, state: RunState, extra: { error?: { code: string; message: string } | null; headline?: Record<string, number> } = {}): void {
    const now = new Date().toISOString();
    const sets = ['state = ?'];
    const args: unknown[] = [state];
    if (state === 'RUNNING') sets.push('started_at = COALESCE(started_at, ?)', 'interrupted = 0'), args.push(now);
    if (FINAL_STATES.includes(state)) sets.push('finished_at = ?'), args.push(now);
    if (extra.error !== undefined) sets.push('error_json = ?'), args.push(extra.error ? JSON.stringify(extra.error) : null);
    if (extra.headline) sets.push('headline_json = ?'), args.push(JSON.stringify(extra.headline));
    this.db.prepare(`UPDATE runs SET ${sets.join(', ')} WHERE id = ?`).run(...args, id);
  }

  /** Atomically moves the oldest QUEUED run to RUNNING (the queue's pop). */
  claimNext(): RunRow | undefined {
    return this.db.transaction(() => {
      const r = this.db.prepare("SELECT * FROM runs WHERE state = 'QUEUED' ORDER BY created_at, id LIMIT 1").get() as RawRow | undefined;
      if (!r) return undefined;
      this.setState(r.id, 'RUNNING');
      return this.get(r.id);
    })();
  }

  /** After a crash: RUNNING/CANCELLING runs were interrupted; they go back to the queue or stay resumable. */
  recoverInterrupted(requeue: boolean): RunRow[] {
    const rows = (this.db.prepare("SELECT * FROM runs WHERE state IN ('RUNNING', 'CANCELLING')").all() as RawRow[]).map(fromRaw);
    for (const r of rows) {
      if (r.state === 'CANCELLING') this.setState(r.id, 'CANCELLED');
      else this.db.prepare(`UPDATE runs SET state = ?, interrupted = 1 WHERE id = ?`).run(requeue ? 'QUEUED' : 'FAILED', r.id);
      if (!requeue && r.state === 'RUNNING') this.setState(r.id, 'FAILED', { error: { code: 'CRUCIBLE_E_RUN_STATE', message: 'interrupted by a server restart; resume it' } });
    }
    return rows;
  }

  close(): void {
    this.db.close();
  }
}
