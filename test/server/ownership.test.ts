// The CLI and the server share one runs folder: a run a live `crucible run` executes is never taken over (not by a
// server start, not by another `crucible resume`), the server can cancel it, and once its process is gone the server
// recovers it. The runs index records each run's owner (pid, host, process start time) to tell these apart.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import Database from 'better-sqlite3';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveManifest } from '../../core/index.js';
import { cancelRun } from '../../core/store/cancel.js';
import { createRun } from '../../core/store/session.js';
import { RunIndex } from '../../core/store/run-index.js';
import { RunStore } from '../../core/store/run-store.js';
import { fixtures, readLines, tempDir } from '../helpers/kernel.js';
import { api, readEvents, ROOT, serve, waitFor } from './helpers.js';

const cli = join(ROOT, 'core', 'cli', 'main.ts');
const toy = join(fixtures, 'manifests', 'toy.json');

/**
 * `crucible run` of the toy manifest as a real child process; resolves once it has generated 2 problems. Generation
 * then waits at a gate file until the test calls `release()`, so the run is still running whatever the machine's load.
 */
async function cliRun(runsDir: string): Promise<{ child: ChildProcess; id: string; exit: Promise<number | null>; stderr: () => string; release: () => void }> {
  const gate = join(runsDir, 'gate');
  const child = spawn(process.execPath, ['--import', 'tsx', cli, 'run', toy, '--set', `stages.generator.config.gate=${gate}`, '--runs-dir', runsDir], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, CI: '1' },
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const id = await waitFor(() => {
    const dir = readdirSync(runsDir).find((d) => d.includes('-toy-'));
    return dir && readLines(join(runsDir, dir, 'stages/generate/candidates.jsonl.partial')).length >= 2 ? dir : undefined;
  }, 60000, 'the CLI run to be generating');
  return { child, id, exit, stderr: () => stderr, release: () => writeFileSync(gate, '') };
}

const stateEvents = (runsDir: string, id: string) =>
  readLines(join(runsDir, id, 'events.jsonl')).map((l) => JSON.parse(l)).filter((e) => e.type === 'state').map((e) => e.state as string);

test('a server started beside a live `crucible run` leaves its run alone; the CLI finishes it, once', async () => {
  const runsDir = tempDir('crucible-own-');
  const run = await cliRun(runsDir);
  const server = await serve({ runsDir });
  try {
    const seen = (await api(server.url, `/v1/runs/${run.id}`)).body;
    assert.is(seen.state, 'RUNNING', 'not re-queued by the start-up recovery');
    run.release();
    assert.is(await run.exit, 0, run.stderr());
    assert.is((await api(server.url, `/v1/runs/${run.id}`)).body.state, 'SUCCEEDED');
    assert.equal(stateEvents(runsDir, run.id), ['RUNNING', 'SUCCEEDED'], 'executed by one process only');
  } finally {
    run.child.kill('SIGKILL');
    await server.close();
  }
});

test('`crucible resume` of a run another live process executes is refused with the owner named', async () => {
  const runsDir = tempDir('crucible-own-');
  const run = await cliRun(runsDir); // held at its gate: still running after two more CLI starts
  try {
    const second = spawnSync(process.execPath, ['--import', 'tsx', cli, 'resume', run.id, '--runs-dir', runsDir], { encoding: 'utf8', env: { ...process.env, CI: '1' } });
    assert.is.not(second.status, 0);
    assert.match(second.stderr, 'CRUCIBLE_E_RUN_STATE');
    assert.match(second.stderr, `process ${run.child.pid}`);
    const listed = spawnSync(process.execPath, ['--import', 'tsx', cli, 'runs', '--runs-dir', runsDir], { encoding: 'utf8' });
    assert.match(listed.stdout, new RegExp(`${run.id}\\s+RUNNING.*\\(process ${run.child.pid}\\)`), 'the list says who executes it');
    run.release();
    assert.is(await run.exit, 0, run.stderr());
    assert.equal(stateEvents(runsDir, run.id), ['RUNNING', 'SUCCEEDED']);
  } finally {
    run.child.kill('SIGKILL');
  }
});

test('the server cancels a run a CLI process executes (as Ctrl-C would)', async () => {
  const runsDir = tempDir('crucible-own-');
  const run = await cliRun(runsDir);
  const server = await serve({ runsDir });
  try {
    const res = await api(server.url, `/v1/runs/${run.id}/cancel`, { method: 'POST' });
    assert.is(res.status, 202, JSON.stringify(res.body));
    assert.is(await run.exit, 130, run.stderr());
    assert.is((await api(server.url, `/v1/runs/${run.id}`)).body.state, 'CANCELLED');
  } finally {
    run.child.kill('SIGKILL');
    await server.close();
  }
});

test('a CLI run killed while the server is up is recovered by it (re-queued and finished)', async () => {
  const runsDir = tempDir('crucible-own-');
  const server = await serve({ runsDir });
  const run = await cliRun(runsDir);
  try {
    run.child.kill('SIGKILL');
    await run.exit;
    run.release(); // the resumed run passes the gate
    const stream = await readEvents(server.url, run.id);
    assert.is(stream.ended?.state, 'SUCCEEDED');
    assert.is((await api(server.url, `/v1/runs/${run.id}`)).body.interrupted, false, 'interrupted is cleared when it runs again');
    assert.equal(stateEvents(runsDir, run.id), ['RUNNING', 'RUNNING', 'SUCCEEDED'], 'the CLI started it, the server resumed it');
  } finally {
    await server.close();
  }
});

const crucible = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8', env: { ...process.env, CI: '1' } });

test('`crucible cancel` stops a run another terminal executes, and waits for it to end', async () => {
  const runsDir = tempDir('crucible-own-');
  const run = await cliRun(runsDir);
  try {
    const cancelled = crucible(['cancel', run.id, '--runs-dir', runsDir]);
    assert.is(cancelled.status, 0, cancelled.stderr);
    assert.is(cancelled.stdout.trim(), `${run.id} CANCELLED`);
    assert.match(cancelled.stderr, `process ${run.child.pid}`);
    assert.is(await run.exit, 130);
    assert.equal(stateEvents(runsDir, run.id).slice(-1), ['CANCELLED']);
  } finally {
    run.child.kill('SIGKILL');
  }
});

test('cancel: a queued run at once, a run whose process is gone too; a run a server is handing over is refused', async () => {
  const runsDir = tempDir('crucible-own-');
  const store = new RunStore(runsDir);
  try {
    const resolved = await resolveManifest(toy);
    const queued = createRun(store, resolved, { state: 'QUEUED' }).id;
    assert.is(cancelRun(store, queued).state, 'CANCELLED');
    assert.equal(stateEvents(runsDir, queued), ['CANCELLED']);
    assert.throws(() => cancelRun(store, queued), /already CANCELLED/);

    const orphan = createRun(store, resolved, { state: 'QUEUED' }).id;
    store.close();
    const db = new Database(join(runsDir, 'crucible.db'));
    db.prepare("UPDATE runs SET state = 'RUNNING', owner_pid = ?, owner_host = ? WHERE id = ?").run(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout, (await import('node:os')).hostname(), orphan);
    db.close();
    const reopened = new RunStore(runsDir);
    assert.is(cancelRun(reopened, orphan).state, 'CANCELLED');

    const handedOver = createRun(reopened, resolved, { state: 'QUEUED' }).id;
    assert.is(reopened.index.claimNext()?.id, handedOver); // as a server's queue does: owned by us, role "queue"
    assert.throws(() => cancelRun(reopened, handedOver), /the server \(process \d+\)/);
    assert.is(reopened.row(handedOver).state, 'RUNNING', 'nothing was signalled');
    reopened.close();
  } finally {
    store.close();
  }
});

test('recovery tells a dead owner and a recycled pid from a live owner, and leaves other hosts alone', async () => {
  const dir = tempDir('crucible-own-');
  const index = new RunIndex(join(dir, 'crucible.db'));
  const exited = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const deadPid = Number(exited.stdout);
  for (const id of ['live', 'dead', 'recycled', 'elsewhere', 'legacy']) index.insert({ id, name: id, state: 'RUNNING', manifestHash: 'h' });
  index.close();
  const db = new Database(join(dir, 'crucible.db'));
  db.prepare('UPDATE runs SET owner_pid = ? WHERE id = ?').run(deadPid, 'dead');
  db.prepare("UPDATE runs SET owner_start = '1' WHERE id = ?").run('recycled'); // our pid, but another process's start
  db.prepare("UPDATE runs SET owner_host = 'some-other-host' WHERE id = ?").run('elsewhere');
  db.prepare('UPDATE runs SET owner_pid = NULL, owner_host = NULL, owner_start = NULL WHERE id = ?').run('legacy');
  db.close();
  const reopened = new RunIndex(join(dir, 'crucible.db'));
  try {
    const recovered = reopened.recoverInterrupted(false).map((r) => r.id).sort();
    assert.equal(recovered, ['dead', 'legacy', 'recycled']);
    assert.is(reopened.get('live')!.state, 'RUNNING');
    assert.is(reopened.get('elsewhere')!.state, 'RUNNING');
    assert.is(reopened.get('dead')!.state, 'FAILED');
    assert.is(reopened.get('dead')!.interrupted, true);
    assert.ok(reopened.claim('live')?.row, 'its own process may claim it again');
    assert.is(reopened.claim('elsewhere')?.heldBy?.host, 'some-other-host');
  } finally {
    reopened.close();
  }
});

test('an index written before owners were recorded gains the columns and keeps its runs', async () => {
  const dir = tempDir('crucible-own-');
  const db = new Database(join(dir, 'crucible.db'));
  db.exec(`CREATE TABLE runs (id TEXT PRIMARY KEY, name TEXT NOT NULL, state TEXT NOT NULL, created_at TEXT NOT NULL, started_at TEXT,
    finished_at TEXT, manifest_hash TEXT NOT NULL, headline_json TEXT, error_json TEXT, idempotency_key TEXT UNIQUE, interrupted INTEGER NOT NULL DEFAULT 0)`);
  db.prepare("INSERT INTO runs (id, name, state, created_at, manifest_hash) VALUES ('old', 'old', 'SUCCEEDED', '2026-01-01T00:00:00Z', 'h')").run();
  db.close();
  const index = new RunIndex(join(dir, 'crucible.db'));
  try {
    assert.is(index.get('old')!.state, 'SUCCEEDED');
    assert.is(index.get('old')!.owner, null);
    index.setState('old', 'RUNNING');
    assert.is(index.get('old')!.owner?.pid, process.pid);
  } finally {
    index.close();
  }
});

test.run();
