// Issue 15 resilience over real HTTP: workers inherit no server secret, run names of any length give ids
// every route accepts, deeply nested JSON is a 400.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { StartedServer } from '../../core/server/start.js';
import { workerEnv } from '../../core/server/worker-env.js';
import { api, readManifest, readEvents, serve, waitFor } from './helpers.js';

let server: StartedServer;
let url: string;
const saved = { token: process.env.CRUCIBLE_TOKEN, secret: process.env.CRUCIBLE_T15_SECRET, passed: process.env.CRUCIBLE_T15_PASSED };

test.before(async () => {
  // The server's own process holds a token and an unrelated secret; the operator passes one extra variable on.
  process.env.CRUCIBLE_TOKEN = 'server-secret-token-0123456789';
  process.env.CRUCIBLE_T15_SECRET = 'do-not-leak';
  process.env.CRUCIBLE_T15_PASSED = 'listed-by-the-operator';
  server = await serve({ passEnv: ['CRUCIBLE_T15_PASSED'] });
  url = server.url;
});
test.after(async () => {
  await server.close();
  for (const [name, value] of [['CRUCIBLE_TOKEN', saved.token], ['CRUCIBLE_T15_SECRET', saved.secret], ['CRUCIBLE_T15_PASSED', saved.passed]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

const finished = (id: string) =>
  waitFor(async () => {
    const { body } = await api(url, `/v1/runs/${id}`);
    return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(body.state) && body;
  }, 60000, `run ${id} to finish`);

test('the worker that executes a run inherits neither CRUCIBLE_TOKEN nor unlisted variables', async () => {
  const manifest = { ...readManifest('toy.json'), name: 'env-check', stages: { ...(readManifest('toy.json').stages as object), scorer: { plugin: '../plugins/env-scorer.ts' } } };
  const submitted = await api(url, '/v1/runs', { method: 'POST', body: JSON.stringify(manifest) });
  assert.is(submitted.status, 202, JSON.stringify(submitted.body));
  const run = await finished(submitted.body.id);
  assert.is(run.state, 'SUCCEEDED', JSON.stringify(run.error));
  const results = await api(url, `/v1/runs/${submitted.body.id}/artifacts/results.json`);
  const names: string[] = results.body.run.records['env.names'];
  assert.ok(names.includes('PATH'), 'harmless variables stay');
  assert.ok(names.includes('CRUCIBLE_T15_PASSED'), 'a variable the operator listed is passed');
  assert.not.ok(names.includes('CRUCIBLE_TOKEN'), 'the token is never passed');
  assert.not.ok(names.includes('CRUCIBLE_T15_SECRET'), 'an unlisted variable is not passed');
});

test('workerEnv: fixed set, LC_*, listed names; never the token even when listed', () => {
  const env = workerEnv({ PATH: '/bin', LC_ALL: 'C', CRUCIBLE_TOKEN: 't', AWS_SECRET_ACCESS_KEY: 's', OPENAI_API_KEY: 'k' }, ['OPENAI_API_KEY', 'CRUCIBLE_TOKEN']);
  assert.equal(env, { PATH: '/bin', LC_ALL: 'C', OPENAI_API_KEY: 'k' });
});

test('run names of any length give ids that every route accepts', async () => {
  for (const length of [85, 300, 5000]) {
    const name = `n${'x'.repeat(length - 1)}`;
    const submitted = await api(url, '/v1/runs', { method: 'POST', body: JSON.stringify({ ...readManifest('toy.json'), name }) });
    assert.is(submitted.status, 202, `${length}: ${JSON.stringify(submitted.body).slice(0, 300)}`);
    const id: string = submitted.body.id;
    assert.ok(id.length < 100, `id of ${id.length} characters`);
    const run = await finished(id);
    assert.is(run.state, 'SUCCEEDED');
    assert.is(run.name, name, 'the full name is kept');
    const listed = await api(url, `/v1/runs?name=${name.slice(0, 200)}`);
    assert.is(listed.status, 200);
    const routes: Array<[string, string, number[]]> = [
      ['GET', `/v1/runs/${id}`, [200]],
      ['GET', `/v1/runs/${id}/artifacts`, [200]],
      ['GET', `/v1/runs/${id}/artifacts/manifest.json`, [200]],
      ['GET', `/v1/compare?a=${id}&b=${id}`, [200, 400]],
      ['POST', `/v1/runs/${id}/cancel`, [202, 409]],
      ['POST', `/v1/runs/${id}/resume`, [202, 409]],
    ];
    for (const [method, path, ok] of routes) {
      const res = await api(url, path, { method });
      assert.ok(ok.includes(res.status), `${method} ${path.replace(id, '<id>')} -> ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      if (res.status >= 400) assert.not.equal(res.body.error.code, 'CRUCIBLE_E_INPUT', 'the id itself is accepted');
    }
    const events = await readEvents(url, id);
    assert.is(events.status, 200);
    assert.ok(events.ended, 'the event stream ends');
  }
});

test('JSON nested 10,000 deep -> 400 CRUCIBLE_E_INPUT on every body route, not 500', async () => {
  const deep = '['.repeat(10000) + ']'.repeat(10000);
  for (const [path, body] of [
    ['/v1/runs', `{"name":"deep","extends":"toy.json","x":${deep}}`],
    ['/v1/manifests/validate', `{"name":"deep","dataset":{"plugin":"builtin","config":${'{"a":'.repeat(10000)}1${'}'.repeat(10000)}}}`],
    ['/v1/runs', deep],
  ] as const) {
    const res = await api(url, path, { method: 'POST', body });
    assert.is(res.status, 400, `${path}: ${JSON.stringify(res.body).slice(0, 300)}`);
    assert.is(res.body.error.code, 'CRUCIBLE_E_INPUT');
    assert.match(res.body.error.message, /nested deeper than/);
  }
  // The server still answers.
  assert.is((await api(url, '/v1/health', { token: null })).status, 200);
});

test.run();
