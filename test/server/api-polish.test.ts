// The API as a client generator and a script see it: the OpenAPI document passes `redocly lint` (recommended
// rules) with named operations and shared components; archive download, delete, tags/metadata filters,
// "did you mean" errors, the comparison route, and the README's curl example, all over real HTTP.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StartedServer } from '../../core/server/start.js';
import { api, ROOT, serve, TOKEN } from './helpers.js';

let server: StartedServer;
const done: string[] = [];

async function finished(id: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const s = (await api(server.url, `/v1/runs/${id}`)).body.state;
    if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(s)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`run ${id} did not finish`);
}

test.before(async () => {
  server = await serve({ maxConcurrent: 2 });
  for (const name of ['toy-a', 'toy-b']) {
    const r = await api(server.url, '/v1/runs', { method: 'POST', body: JSON.stringify({ extends: 'toy.json', name }) });
    assert.is(r.status, 202, JSON.stringify(r.body));
    done.push(r.body.id);
  }
  for (const id of done) await finished(id);
});

test.after(async () => {
  await server?.close();
});

test('the OpenAPI document passes redocly lint (recommended) with named operations and shared components', async () => {
  const res = await api(server.url, '/docs/json');
  assert.is(res.status, 200);
  const doc = res.body;
  const ops = Object.entries(doc.paths as Record<string, Record<string, { operationId?: string }>>).flatMap(([path, m]) => Object.entries(m).map(([method, op]) => ({ path, method, id: op.operationId })));
  assert.ok(ops.length >= 20, `${ops.length} operations`);
  assert.equal(ops.filter((o) => !o.id).map((o) => `${o.method} ${o.path}`), [], 'every operation is named');
  assert.is(new Set(ops.map((o) => o.id)).size, ops.length, 'names are unique');
  assert.ok(doc.paths['/v1/runs/{id}/artifacts/{path}'], 'the wildcard is a named parameter');
  assert.ok(doc.components.schemas.Error && doc.components.schemas.Manifest);
  assert.is(doc.paths['/v1/runs'].post.requestBody.content['application/json'].schema.$ref, '#/components/schemas/Manifest');
  assert.ok(!JSON.stringify(doc.paths).includes('"details":{"type":"array"'), 'the error envelope is not inlined');
  const file = join(mkdtempSync(join(tmpdir(), 'crucible-oas-')), 'openapi.json');
  writeFileSync(file, JSON.stringify(doc));
  const lint = spawnSync(process.execPath, [join(ROOT, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js'), 'lint', file, '--format=json'], { encoding: 'utf8', env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } });
  const report = JSON.parse(lint.stdout.slice(lint.stdout.indexOf('{')));
  const errors = report.problems.filter((p: { severity: string }) => p.severity === 'error');
  assert.equal(errors.map((p: { ruleId: string; message: string }) => `${p.ruleId}: ${p.message}`), [], 'no lint errors');
  assert.is(lint.status, 0, lint.stderr);
});

test('a run\'s folder downloads as one .tar.gz', async () => {
  const res = await fetch(`${server.url}/v1/runs/${done[0]}/archive`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.is(res.status, 200);
  assert.is(res.headers.get('content-type'), 'application/gzip');
  const dir = mkdtempSync(join(tmpdir(), 'crucible-tar-'));
  writeFileSync(join(dir, 'run.tar.gz'), Buffer.from(await res.arrayBuffer()));
  const untar = spawnSync('tar', ['-xzf', 'run.tar.gz'], { cwd: dir, encoding: 'utf8' });
  assert.is(untar.status, 0, untar.stderr);
  const results = join(dir, done[0], 'results.json');
  assert.ok(existsSync(results), 'results.json is in the archive under the run id');
  const served = await api(server.url, `/v1/runs/${done[0]}/artifacts/results.json`);
  assert.equal(JSON.parse(readFileSync(results, 'utf8')), served.body, 'byte-for-byte the same file');
});

test('tags and metadata label runs and filter the list', async () => {
  const patched = await api(server.url, `/v1/runs/${done[0]}`, { method: 'PATCH', body: JSON.stringify({ tags: ['sweep-1', 'baseline'], metadata: { owner: 'ana', lr: '1e-4' } }) });
  assert.is(patched.status, 200, JSON.stringify(patched.body));
  assert.equal(patched.body.tags, ['sweep-1', 'baseline']);
  await api(server.url, `/v1/runs/${done[1]}`, { method: 'PATCH', body: JSON.stringify({ tags: ['sweep-1'] }) });
  const ids = async (q: string) => (await api(server.url, `/v1/runs?${q}`)).body.runs.map((r: { id: string }) => r.id).sort();
  assert.equal(await ids('tag=sweep-1'), [...done].sort());
  assert.equal(await ids('tag=sweep-1,baseline'), [done[0]]);
  assert.equal(await ids('metadata=owner=ana'), [done[0]]);
  assert.equal(await ids('metadata=owner=bob'), []);
  const bad = await api(server.url, `/v1/runs/${done[0]}`, { method: 'PATCH', body: JSON.stringify({ metadata: { 'no spaces': 'x' } }) });
  assert.is(bad.status, 400);
});

test('"did you mean" over HTTP: a misspelled route, a misspelled state, an unknown plugin', async () => {
  const route = await api(server.url, '/v1/run');
  assert.is(route.status, 404);
  assert.match(JSON.stringify(route.body.error.details), 'did you mean GET /v1/runs?');
  const state = await api(server.url, '/v1/runs?state=SUCEEDED');
  assert.is(state.status, 400);
  assert.is(state.body.error.details[0].hint, 'did you mean "SUCCEEDED"?');
  const plugin = await api(server.url, '/v1/manifests/validate', { method: 'POST', body: JSON.stringify({ extends: 'toy.json', name: 'x', stages: { pairing: { plugin: 'best-of-m' } } }) });
  assert.is(plugin.status, 400);
  assert.match(JSON.stringify(plugin.body.error), /did you mean[^"]*\\?"?best-of-n/, JSON.stringify(plugin.body.error));
});

test('the comparison route compares two or more runs', async () => {
  const res = await api(server.url, `/v1/comparisons?runs=${done.join(',')}`);
  assert.is(res.status, 200, JSON.stringify(res.body));
  assert.is(res.body.runs.length, 2);
  assert.ok(res.body.pairwise[0].flips);
  const one = await api(server.url, `/v1/comparisons?runs=${done[0]}`);
  assert.is(one.status, 400);
  const missing = await api(server.url, `/v1/comparisons?runs=${done[0]},no-such-run`);
  assert.is(missing.status, 404);
});

test('delete: a finished run goes (folder and entry); a running one is refused', async () => {
  const slow = await api(server.url, '/v1/runs', { method: 'POST', body: JSON.stringify({ extends: 'toy.json', name: 'slow', stages: { generator: { config: { delayMs: 200 } } } }) });
  const refused = await api(server.url, `/v1/runs/${slow.body.id}`, { method: 'DELETE' });
  assert.is(refused.status, 409);
  await api(server.url, `/v1/runs/${slow.body.id}/cancel`, { method: 'POST' });
  await finished(slow.body.id);
  const gone = await api(server.url, `/v1/runs/${done[1]}`, { method: 'DELETE' });
  assert.is(gone.status, 204);
  assert.is((await api(server.url, `/v1/runs/${done[1]}`)).status, 404);
  assert.is((await api(server.url, `/v1/runs/${slow.body.id}`, { method: 'DELETE' })).status, 204);
});

test('the README\'s curl example sends JSON the server accepts', async () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const line = readme.split('\n').find((l) => l.startsWith('curl') && l.includes('-X POST') && l.includes('/v1/runs'));
  assert.ok(line, 'the README has the example');
  assert.match(line!, '-H "Content-Type: application/json"');
  // The same command against this server, on the validate route (the example's quickstart would start a real run).
  const command = line!.replace('Bearer secret', `Bearer ${TOKEN}`).replace('localhost:8700/v1/runs', `${server.url}/v1/manifests/validate`).replace('quickstart.json', 'toy.json') + ' -s -o /dev/null -w "%{http_code}"';
  // Asynchronously: the server answers from this process's event loop.
  const r = await promisify(execFile)('bash', ['-c', command], { encoding: 'utf8', timeout: 30000 });
  assert.is(r.stdout.trim(), '200', r.stderr);
});

test.run();
