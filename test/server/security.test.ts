// Security acceptance (issue 8): tokens, plugin policy, path escapes, body limit, rate limit, public bind refusal.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { StartedServer } from '../../core/server/start.js';
import { api, readManifest, serve, spawnServer, TOKEN } from './helpers.js';
import { join } from 'node:path';
import { packageRoot } from '../../core/util/package-root.js';

let server: StartedServer;
let url: string;
let runId: string;

test.before(async () => {
  server = await serve({ bodyLimit: 64 * 1024, rateLimit: 400 });
  url = server.url;
  const { body } = await api(url, '/v1/runs', { method: 'POST', body: JSON.stringify(readManifest('toy.json')) });
  runId = body.id;
});
test.after(async () => {
  await server.close();
});

test('no token -> 401, wrong token -> 401 (coded), health needs none', async () => {
  for (const token of [null, 'wrong-token-0123456789', TOKEN + 'x', '']) {
    for (const path of ['/v1/runs', `/v1/runs/${runId}`, '/v1/plugins', '/docs/json', `/v1/runs/${runId}/events`]) {
      const res = await api(url, path, { token });
      assert.is(res.status, 401, `${path} with ${token}`);
      assert.is(res.body.error.code, 'CRUCIBLE_E_UNAUTHORIZED');
    }
  }
  const basic = await api(url, '/v1/runs', { token: null, headers: { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` } });
  assert.is(basic.status, 401);
  assert.is((await api(url, '/v1/health', { token: null })).status, 200);
});

test('manifests naming ../../x.js or an absolute plugin path -> 400 with a coded error', async () => {
  // The third path is absolute under this checkout, wherever it is (CI clones elsewhere).
  const root = packageRoot();
  for (const plugin of ['../../x.js', '/etc/passwd.js', `${root}/test/fixtures/plugins/../../../core/index.ts`, '../../../core/server/worker.ts']) {
    const manifest = { extends: 'toy.json', name: 'evil', stages: { scorer: { plugin } } };
    const res = await api(url, '/v1/runs', { method: 'POST', body: JSON.stringify(manifest) });
    assert.is(res.status, 400, plugin);
    assert.is(res.body.error.code, 'CRUCIBLE_E_MANIFEST');
    const detail = res.body.error.details.find((d: { path?: string }) => d.path === 'stages.scorer.plugin');
    assert.ok(detail, 'names the manifest path');
    assert.match(detail.message, /CRUCIBLE_E_PLUGIN_NOT_ALLOWED/);
    assert.not.ok('stack' in res.body.error);
    assert.not.ok(JSON.stringify(res.body).includes(root), 'no server paths');
  }
  const pkg = await api(url, '/v1/manifests/validate', { method: 'POST', body: JSON.stringify({ extends: 'toy.json', stages: { scorer: { plugin: 'left-pad' } } }) });
  assert.is(pkg.status, 400);
  assert.match(JSON.stringify(pkg.body.error.details), /not on this server's allowlist/);
});

test('extends may only name manifests inside the server manifests folder', async () => {
  for (const parent of ['../plugins/child-executor.ts', '../../manifests/toy.json', '/etc/hosts', '../../fixtures/manifests/toy.json', 'missing.json']) {
    const res = await api(url, '/v1/runs', { method: 'POST', body: JSON.stringify({ extends: parent, name: 'x' }) });
    assert.is(res.status, 400, parent);
    assert.is(res.body.error.code, 'CRUCIBLE_E_MANIFEST');
    assert.is(res.body.error.details[0].path, 'extends');
  }
});

test('path traversal in artifacts -> 404', async () => {
  const base = `${url}/v1/runs/${runId}/artifacts/`;
  const tries = ['%2e%2e/crucible.db', '..%2fcrucible.db', '%2e%2e%2f%2e%2e%2fpackage.json', 'stages/..%2f..%2fcrucible.db', '%2fetc%2fpasswd', '..%5ccrucible.db', 'nope.json', 'stages'];
  for (const t of tries) {
    const res = await fetch(base + t, { headers: { authorization: `Bearer ${TOKEN}` } });
    const body = (await res.json()) as { error: { code: string } };
    assert.is(res.status, 404, t);
    assert.is(body.error.code, 'CRUCIBLE_E_NOT_FOUND');
  }
  // A run id that is a path segment is not a run.
  const dotdot = await fetch(`${url}/v1/runs/%2e%2e/artifacts/crucible.db`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.ok([400, 404].includes(dotdot.status));
  const ok = await fetch(base + 'manifest.json', { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.is(ok.status, 200);
  assert.is(ok.headers.get('x-content-type-options'), 'nosniff');
});

test('oversized body -> 413 (coded)', async () => {
  const big = { ...readManifest('toy.json'), padding: 'x'.repeat(100 * 1024) };
  const res = await api(url, '/v1/runs', { method: 'POST', body: JSON.stringify(big) });
  assert.is(res.status, 413);
  assert.is(res.body.error.code, 'CRUCIBLE_E_BODY_TOO_LARGE');
});

test('malformed JSON -> 400 coded, no internals', async () => {
  const res = await api(url, '/v1/runs', { method: 'POST', body: '{"name": ' });
  assert.is(res.status, 400);
  assert.is(res.body.error.code, 'CRUCIBLE_E_INPUT');
  assert.not.ok('stack' in res.body.error);
});

test('rate limiting answers 429 with a coded error', async () => {
  let limited: { status: number; body: any } | undefined;
  for (let i = 0; i < 450 && !limited; i += 50) {
    const batch = await Promise.all(Array.from({ length: 50 }, () => api(url, '/v1/version')));
    limited = batch.find((r) => r.status === 429);
  }
  assert.ok(limited, 'some request was limited');
  assert.is(limited!.body.error.code, 'CRUCIBLE_E_RATE_LIMIT');
});

test('binding a non-loopback host without CRUCIBLE_TOKEN is refused at start', async () => {
  const env = { CRUCIBLE_TOKEN: '' };
  const refused = spawnServer(['--host', '0.0.0.0', '--runs-dir', '/tmp/crucible-never-created'], env);
  const code = await new Promise<number | null>((resolve) => refused.child.on('exit', resolve));
  refused.url.catch(() => undefined);
  assert.is(code, 2);
  assert.match(refused.output(), /CRUCIBLE_E_INPUT.*refusing to bind 0\.0\.0\.0/);
  // With a token the same bind starts (and a generated token is never needed).
  const allowed = spawnServer(['--host', '0.0.0.0', '--runs-dir', '/tmp/crucible-srv-public-' + process.pid], { CRUCIBLE_TOKEN: TOKEN });
  const started = await allowed.url;
  assert.match(started, /^http:\/\//);
  assert.not.match(allowed.output(), /shown once/);
  allowed.child.kill('SIGTERM');
  await new Promise((resolve) => allowed.child.on('exit', resolve));
});

test('a loopback server without CRUCIBLE_TOKEN generates one and prints it once', async () => {
  const s = spawnServer(['--runs-dir', '/tmp/crucible-srv-gen-' + process.pid], { CRUCIBLE_TOKEN: '' });
  const started = await s.url;
  const m = /token \(shown once\): (\S+)/.exec(s.output());
  assert.ok(m, 'printed');
  assert.is((await api(started, '/v1/version', { token: m![1] })).status, 200);
  assert.is((await api(started, '/v1/version')).status, 401);
  s.child.kill('SIGTERM');
  await new Promise((resolve) => s.child.on('exit', resolve));
});

test.run();
