// Cancel during execution (issue 8): RUNNING -> CANCELLING -> CANCELLED, and no process of the run survives:
// not the worker, not the executor's children (even when the plugin forgets them or hangs).
import 'reflect-metadata';
import { readdirSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { StartedServer } from '../../core/server/start.js';
import { tempDir } from '../helpers/kernel.js';
import { alive, api, pidsMentioning, readEvents, serve, waitFor } from './helpers.js';

let server: StartedServer;
let url: string;

test.before(async () => {
  server = await serve({ cancelGraceMs: 1000 });
  url = server.url;
});
test.after(async () => {
  await server.close();
});

async function cancelWhileExecuting(config: Record<string, unknown>) {
  const pidDir = tempDir('crucible-pids-');
  const manifest = { extends: 'sleepy.json', stages: { executor: { config: { mode: 'sleep', pidDir, ...config } } } };
  const { status, body } = await api(url, '/v1/runs', { method: 'POST', body: JSON.stringify(manifest) });
  assert.is(status, 202);
  const id = body.id as string;
  const sleeper = await waitFor(() => readdirSync(pidDir).map(Number)[0], 20000, 'the executor to start a child');
  const workers = pidsMentioning(id);
  assert.ok(workers.length >= 1, 'a worker process runs the run');
  assert.ok(alive(sleeper));

  const cancel = await api(url, `/v1/runs/${id}/cancel`, { method: 'POST' });
  assert.is(cancel.status, 202);
  assert.ok(['CANCELLING', 'CANCELLED'].includes(cancel.body.state));
  const stream = await readEvents(url, id);
  assert.equal(stream.ended?.state, 'CANCELLED');
  assert.is(stream.events.at(-1)!.state, 'CANCELLED');

  await waitFor(() => !alive(sleeper) && workers.every((p) => !alive(p)), 5000, 'every process of the run to exit');
  assert.equal(pidsMentioning(id), []);
  const run = await api(url, `/v1/runs/${id}`);
  assert.is(run.body.state, 'CANCELLED');
  assert.is(run.body.error.code, 'CRUCIBLE_E_CANCELLED');
  // Nothing half-written is marked finished: the execute stage has no done marker.
  const files = (await api(url, `/v1/runs/${id}/artifacts`)).body.files.map((f: { path: string }) => f.path);
  assert.not.ok(files.includes('stages/execute/done.json'));
  assert.not.ok(files.includes('results.json'));
  return id;
}

test('cancel during execution: the plugin returns but forgets its child; the group kill reaps it', async () => {
  await cancelWhileExecuting({});
});

test('cancel during execution: a hung plugin; the worker group is killed after the grace period', async () => {
  const started = Date.now();
  await cancelWhileExecuting({ ignoreAbort: true });
  assert.ok(Date.now() - started < 15000);
});

test('a cancelled run resumes, skipping finished stages', async () => {
  const id = await cancelWhileExecuting({});
  const resumed = await api(url, `/v1/runs/${id}/resume`, { method: 'POST' });
  assert.is(resumed.status, 202);
  // It runs again (the sleepy executor starts a new child); cancel once more and check cleanup again.
  await waitFor(async () => (await api(url, `/v1/runs/${id}`)).body.state === 'RUNNING', 10000, 'resumed run to start');
  await waitFor(async () => (await api(url, `/v1/runs/${id}`)).body.stages.some((s: { name: string; reused: string | null }) => s.name === 'generate' && s.reused === 'run'), 10000, 'generate reused');
  await api(url, `/v1/runs/${id}/cancel`, { method: 'POST' });
  const end = await readEvents(url, id, { query: '?after=1000000' });
  assert.equal(end.ended?.state, 'CANCELLED');
  await waitFor(() => pidsMentioning(id).length === 0, 5000, 'no process of the run left');
});

test.run();
