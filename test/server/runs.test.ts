// Acceptance (issue 8): submit -> events to completion -> artifacts; event-stream resume without gaps or
// duplicates; idempotent submit; list/get; validation; compare; OpenAPI at /docs.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { StartedServer } from '../../core/server/start.js';
import { api, readEvents, readManifest, serve, waitFor } from './helpers.js';

let server: StartedServer;
let url: string;
const slow = (name: string) => ({ extends: 'toy.json', name, stages: { generator: { config: { delayMs: 60 } } } });

test.before(async () => {
  server = await serve({ maxConcurrent: 2 });
  url = server.url;
});
test.after(async () => {
  await server.close();
});

test('submit -> events stream to completion -> artifacts download', async () => {
  const submit = await api(url, '/v1/runs', { method: 'POST', body: JSON.stringify(readManifest('toy.json')) });
  assert.is(submit.status, 202);
  assert.ok(['QUEUED', 'RUNNING'].includes(submit.body.state));
  assert.is(submit.headers.get('location'), `/v1/runs/${submit.body.id}`);
  const id = submit.body.id as string;

  const stream = await readEvents(url, id);
  assert.is(stream.status, 200);
  assert.match(stream.contentType!, /text\/event-stream/);
  assert.equal(stream.ended?.state, 'SUCCEEDED');
  const seqs = stream.events.map((e) => e.seq);
  assert.equal(seqs, seqs.map((_, i) => i + 1), 'every seq from 1, in order, once');
  const types = new Set(stream.events.map((e) => e.type));
  for (const t of ['state', 'stage', 'progress']) assert.ok(types.has(t), `has ${t} events`);
  assert.is(stream.events.at(-1)!.state, 'SUCCEEDED');

  const run = await api(url, `/v1/runs/${id}`);
  assert.is(run.body.state, 'SUCCEEDED');
  assert.ok(run.body.headline['trained/passRate'] > 0);
  assert.ok(run.body.stages.every((s: { status: string }) => s.status === 'done'));
  assert.ok(run.body.stages.some((s: { name: string }) => s.name === 'generate'));
  assert.is(run.body.lastSeq, seqs.at(-1));

  const list = await api(url, `/v1/runs/${id}/artifacts`);
  const paths = list.body.files.map((f: { path: string }) => f.path);
  for (const p of ['results.json', 'events.jsonl', 'manifest.json', 'stages/evaluate/evaluation.json']) assert.ok(paths.includes(p), p);
  const results = await api(url, `/v1/runs/${id}/artifacts/results.json`);
  assert.is(results.status, 200);
  assert.match(results.headers.get('content-type')!, /application\/json/);
  assert.is(results.body.run.id, id);
  const events = await api(url, `/v1/runs/${id}/artifacts/events.jsonl`);
  assert.is(events.body.trim().split('\n').length, seqs.length);
});

test('a dropped event stream resumes with Last-Event-ID or ?after= and loses or repeats nothing', async () => {
  const { body } = await api(url, '/v1/runs', { method: 'POST', body: JSON.stringify(slow('resume-stream')) });
  const id = body.id as string;
  // First connection: take a few events and drop it mid-run.
  const first = await readEvents(url, id, { max: 5 });
  assert.is(first.events.length, 5);
  assert.is(first.ended, undefined);
  const mid = await api(url, `/v1/runs/${id}`);
  assert.is(mid.body.state, 'RUNNING', 'dropped while the run was still going');
  // Reconnect like an EventSource (Last-Event-ID), drop again, then resume with ?after= to the end.
  const second = await readEvents(url, id, { lastEventId: first.events.at(-1)!.seq, max: 4 });
  const third = await readEvents(url, id, { query: `?after=${second.events.at(-1)!.seq}` });
  assert.equal(third.ended?.state, 'SUCCEEDED');
  const all = [...first.events, ...second.events, ...third.events].map((e) => e.seq);
  assert.equal(all, all.map((_, i) => i + 1), 'contiguous, no duplicates');
  const onDisk = (await api(url, `/v1/runs/${id}/artifacts/events.jsonl`)).body.trim().split('\n').length;
  assert.is(all.length, onDisk);
  // A finished run's stream replays what is left and ends; after the last seq it ends at once.
  const tail = await readEvents(url, id, { query: `?after=${all.at(-1)}` });
  assert.equal(tail.events, []);
  assert.equal(tail.ended?.state, 'SUCCEEDED');
});

test('keep-alive comments arrive on an idle stream', async () => {
  const { body } = await api(url, '/v1/runs', { method: 'POST', body: JSON.stringify({ ...slow('keepalive'), stages: { generator: { config: { delayMs: 150 } } } }) });
  const res = await fetch(new URL(`/v1/runs/${body.id}/events?after=100000`, url), { headers: { authorization: `Bearer ${(await import('./helpers.js')).TOKEN}` } });
  const reader = res.body!.getReader();
  let text = '';
  const end = Date.now() + 3000;
  while (!text.includes(': keep-alive') && Date.now() < end) text += new TextDecoder().decode((await reader.read()).value ?? new Uint8Array());
  await reader.cancel();
  assert.ok(text.includes(': keep-alive'), 'a keep-alive comment within a few intervals');
  await api(url, `/v1/runs/${body.id}/cancel`, { method: 'POST' });
});

test('Idempotency-Key: a retried submit returns the same run; another manifest under the key is a conflict', async () => {
  const headers = { 'idempotency-key': 'retry-me-1' };
  const a = await api(url, '/v1/runs', { method: 'POST', headers, body: JSON.stringify(readManifest('toy.json')) });
  const b = await api(url, '/v1/runs', { method: 'POST', headers, body: JSON.stringify(readManifest('toy.json')) });
  assert.is(a.status, 202);
  assert.is(b.status, 202);
  assert.is(b.body.id, a.body.id);
  assert.is(b.body.replayed, true);
  const c = await api(url, '/v1/runs', { method: 'POST', headers, body: JSON.stringify({ ...readManifest('toy.json'), seed: 7 }) });
  assert.is(c.status, 409);
  assert.is(c.body.error.code, 'CRUCIBLE_E_RUN_STATE');
  await waitFor(async () => (await api(url, `/v1/runs/${a.body.id}`)).body.state === 'SUCCEEDED', 20000, 'idempotent run');
});

test('list filters by state and name and paginates; unknown run -> 404', async () => {
  const all = await api(url, '/v1/runs?limit=2');
  assert.is(all.status, 200);
  assert.is(all.body.runs.length, 2);
  assert.ok(all.body.total >= 3);
  const named = await api(url, '/v1/runs?name=toy-http&state=SUCCEEDED');
  assert.ok(named.body.runs.length >= 2);
  assert.ok(named.body.runs.every((r: { name: string; state: string }) => r.name === 'toy-http' && r.state === 'SUCCEEDED'));
  const bad = await api(url, '/v1/runs?state=NOPE');
  assert.is(bad.status, 400);
  assert.is(bad.body.error.code, 'CRUCIBLE_E_INPUT');
  const missing = await api(url, '/v1/runs/no-such-run');
  assert.is(missing.status, 404);
  assert.is(missing.body.error.code, 'CRUCIBLE_E_RUN_NOT_FOUND');
  assert.not.match(JSON.stringify(missing.body), /\/tmp\//, 'no server paths in errors');
});

test('manifest validation returns the resolved manifest or every error with its path', async () => {
  const ok = await api(url, '/v1/manifests/validate', { method: 'POST', body: JSON.stringify({ extends: 'toy.json', name: 'v' }) });
  assert.is(ok.status, 200);
  assert.is(ok.body.valid, true);
  assert.is(ok.body.manifest.stages.pairing.config.minGap, 0.1);
  const bad = await api(url, '/v1/manifests/validate', { method: 'POST', body: JSON.stringify({ extends: 'toy.json', stages: { pairing: { config: { minGap: -1 } } } }) });
  assert.is(bad.status, 400);
  assert.is(bad.body.error.code, 'CRUCIBLE_E_MANIFEST');
  assert.ok(bad.body.error.details.some((d: { path?: string }) => d.path === 'stages.pairing.config.minGap'));
  assert.not.ok('stack' in bad.body.error);
});

test('cancel and resume a queued run; resume of a finished run is a conflict', async () => {
  const busy = await Promise.all([1, 2].map((i) => api(url, '/v1/runs', { method: 'POST', body: JSON.stringify(slow(`fill-${i}`)) })));
  const queued = await api(url, '/v1/runs', { method: 'POST', body: JSON.stringify(readManifest('toy.json')) });
  assert.is(queued.body.state, 'QUEUED', 'both slots are taken');
  const cancelled = await api(url, `/v1/runs/${queued.body.id}/cancel`, { method: 'POST' });
  assert.is(cancelled.status, 202);
  assert.is(cancelled.body.state, 'CANCELLED');
  const again = await api(url, `/v1/runs/${queued.body.id}/cancel`, { method: 'POST' });
  assert.is(again.status, 409);
  const resumed = await api(url, `/v1/runs/${queued.body.id}/resume`, { method: 'POST' });
  assert.is(resumed.status, 202);
  assert.ok(['QUEUED', 'RUNNING'].includes(resumed.body.state));
  const stream = await readEvents(url, queued.body.id);
  assert.equal(stream.ended?.state, 'SUCCEEDED');
  assert.equal(stream.events[0], { ...stream.events[0], type: 'state', state: 'CANCELLED' }, 'the cancellation is in the event log');
  const finished = await api(url, `/v1/runs/${queued.body.id}/resume`, { method: 'POST' });
  assert.is(finished.status, 409);
  for (const b of busy) await waitFor(async () => (await api(url, `/v1/runs/${b.body.id}`)).body.state === 'SUCCEEDED', 20000, 'fill runs');
});

test('compare two runs: headlines side by side, plus the statistical comparison when it applies', async () => {
  const runs = (await api(url, '/v1/runs?state=SUCCEEDED&limit=2')).body.runs;
  const res = await api(url, `/v1/compare?a=${runs[0].id}&b=${runs[1].id}`);
  assert.is(res.status, 200);
  assert.is(res.body.a.id, runs[0].id);
  assert.ok('base/passRate' in res.body.b.headline);
  // The toy evaluator has no per-problem pass@k, so the stats comparison declines with a note.
  if (res.body.comparison === null) assert.type(res.body.note, 'string');
  const missing = await api(url, `/v1/compare?a=${runs[0].id}&b=nope`);
  assert.is(missing.status, 404);
});

test('/docs serves the OpenAPI document with every /v1 route', async () => {
  const doc = await api(url, '/docs/json');
  assert.is(doc.status, 200);
  assert.is(doc.body.openapi, '3.0.3');
  for (const p of ['/v1/health', '/v1/version', '/v1/plugins', '/v1/manifests/validate', '/v1/runs', '/v1/runs/{id}', '/v1/runs/{id}/events', '/v1/runs/{id}/cancel', '/v1/runs/{id}/resume', '/v1/runs/{id}/artifacts', '/v1/compare']) {
    assert.ok(doc.body.paths[p], `documents ${p}`);
  }
  assert.ok(doc.body.components.securitySchemes.bearer);
  const ui = await api(url, '/docs');
  assert.ok([200, 302].includes(ui.status));
  const plugins = await api(url, '/v1/plugins');
  assert.is(plugins.status, 200);
  assert.ok(Array.isArray(plugins.body.plugins));
  const version = await api(url, '/v1/version');
  assert.is(version.body.pluginApiVersion, '1.0.0');
});

test.run();
