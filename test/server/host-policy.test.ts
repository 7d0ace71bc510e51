// Issue 15 acceptance over real HTTP: every field of a submitted manifest that names a host resource goes
// through one policy. Each refusal is a coded 400 naming the JSON path and the rule, before anything is queued
// or created on disk; the same manifests are accepted by the CLI's validation (a local user).
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StartedServer } from '../../core/server/start.js';
import { resolveManifestObject } from '../../core/index.js';
import { composePosted } from '../../core/server/manifest-input.js';
import { tempDir } from '../helpers/kernel.js';
import { api, MANIFESTS, readManifest, serve } from './helpers.js';

let server: StartedServer;
let url: string;
const outside = tempDir('crucible-outside-');
const toyStages = readManifest('toy.json').stages as Record<string, unknown>;

/** A manifest extending the toy one with some slots replaced. */
const toy = (name: string, patch: Record<string, unknown>, stages: Record<string, unknown> = {}) => ({ extends: 'toy.json', name, ...patch, stages: { ...toyStages, ...stages } });

const judge = (generator: Record<string, unknown>) => ({ scorer: { plugin: 'logprob-judge', config: { generator } } });

interface Case {
  what: string;
  manifest: Record<string, unknown>;
  path: string;
  rule: RegExp;
  /** A folder the manifest names that must not appear. */
  mustNotExist?: string;
}

const CASES: Case[] = [
  { what: 'sandbox off', manifest: toy('sandbox-off', {}, { executor: { plugin: 'python', config: { sandbox: 'off' } } }), path: 'stages.executor.config.sandbox', rule: /CRUCIBLE_E_HOST_POLICY: .*weakens isolation.*\(rule: weakens-isolation\)/ },
  { what: 'an executable path', manifest: toy('exe', {}, { executor: { plugin: 'python', config: { sandbox: 'required', python: '/bin/sh' } } }), path: 'stages.executor.config.python', rule: /does not start programs.*\(rule: executable\)/ },
  { what: 'a data path outside the roots', manifest: toy('shadow', { dataset: { plugin: 'humaneval', config: { path: '/etc/shadow' } } }), path: 'dataset.config.path', rule: /outside the folders this server lets manifests read \(rule: read-path\)/ },
  { what: 'a relative data path escaping the roots', manifest: toy('dotdot', { dataset: { plugin: 'mbpp', config: { path: '../../../../../../etc/passwd' } } }), path: 'dataset.config.path', rule: /\(rule: read-path\)/ },
  { what: 'cacheDir outside the run', manifest: toy('cachedir', { dataset: { plugin: 'humaneval', config: { path: 'toy.json', cacheDir: join(outside, 'planted') } } }), path: 'dataset.config.cacheDir', rule: /writes only inside the run's folder \(rule: write-path\)/, mustNotExist: join(outside, 'planted') },
  { what: 'inputs.preferences outside the roots', manifest: toy('prefs', { inputs: { preferences: '/root/.ssh/id_rsa' } }), path: 'inputs.preferences', rule: /\(rule: read-path\)/ },
  { what: 'a URL to a host not allowed', manifest: toy('url', {}, { generator: { plugin: 'openai-compatible', config: { baseURL: ['http://127.0.0.1:8000/v1', 'http://10.1.2.3:8000/v1'], model: 'm' } } }), path: 'stages.generator.config.baseURL.1', rule: /does not send requests to that host \(rule: url\)/ },
  { what: 'a file: URL', manifest: toy('file-url', {}, { generator: { plugin: 'openai-compatible', config: { baseURL: 'file:///etc/passwd', model: 'm' } } }), path: 'stages.generator.config.baseURL', rule: /\(rule: url\)/ },
  { what: 'an environment variable not passed on', manifest: toy('env', {}, { generator: { plugin: 'openai-compatible', config: { baseURL: 'http://127.0.0.1:8000/v1', model: 'm', apiKeyEnv: 'CRUCIBLE_TOKEN' } } }), path: 'stages.generator.config.apiKeyEnv', rule: /\(rule: env-var\)/ },
  { what: 'a nested plugin by path', manifest: toy('nested-path', {}, judge({ plugin: join(outside, 'evil.ts') })), path: 'stages.scorer.config.generator.plugin', rule: /CRUCIBLE_E_PLUGIN_NOT_ALLOWED/ },
  { what: 'a nested plugin package off the allowlist', manifest: toy('nested-pkg', {}, judge({ plugin: 'left-pad' })), path: 'stages.scorer.config.generator.plugin', rule: /CRUCIBLE_E_PLUGIN_NOT_ALLOWED/ },
  { what: 'a host resource inside a nested config', manifest: toy('nested-url', {}, judge({ plugin: 'openai-compatible', config: { baseURL: 'http://192.0.2.7/v1', model: 'judge' } })), path: 'stages.scorer.config.generator.config.baseURL', rule: /\(rule: url\)/ },
];

test.before(async () => {
  writeFileSync(join(outside, 'evil.ts'), 'export default {};\n');
  server = await serve();
  url = server.url;
});
test.after(async () => {
  await server.close();
});

const snapshot = () => ({ runs: readdirSync(server.ctx.store.root).sort(), indexed: server.ctx.store.index.list({ limit: 200 }).total });

for (const c of CASES) {
  test(`HTTP refuses ${c.what}: 400 naming ${c.path}, nothing created; the CLI accepts it`, async () => {
    const before = snapshot();
    for (const route of ['/v1/runs', '/v1/manifests/validate']) {
      const res = await api(url, route, { method: 'POST', body: JSON.stringify(c.manifest) });
      assert.is(res.status, 400, `${route}: ${JSON.stringify(res.body)}`);
      assert.is(res.body.error.code, 'CRUCIBLE_E_MANIFEST');
      const detail = res.body.error.details.find((d: { path?: string }) => d.path === c.path);
      assert.ok(detail, `no detail at ${c.path}: ${JSON.stringify(res.body.error.details)}`);
      assert.match(detail.message, c.rule);
      assert.not.ok(JSON.stringify(res.body).includes(server.ctx.store.root), 'no server-side path in the answer');
    }
    assert.equal(snapshot(), before, 'no run folder, no index row');
    if (c.mustNotExist) assert.not.ok(existsSync(c.mustNotExist), `${c.mustNotExist} was created`);
    // The CLI (a local user) validates the same manifest with the same kernel call and no host policy;
    // the nested-plugin cases name plugins that do not exist, which only the allowlist stopped before.
    if (c.what.startsWith('a nested plugin')) return;
    const resolved = await resolveManifestObject(composePosted(c.manifest, MANIFESTS), MANIFESTS);
    assert.ok(resolved.manifest.name, 'validated');
  });
}

test('a data file that exists and one that does not get the same answer outside the roots (no existence oracle)', async () => {
  const answers = [];
  for (const path of ['/etc/hostname', '/etc/no-such-file-here', join(outside, 'evil.ts'), join(outside, 'missing.ts')]) {
    const res = await api(url, '/v1/manifests/validate', { method: 'POST', body: JSON.stringify(toy('oracle', { dataset: { plugin: 'humaneval', config: { path } } })) });
    answers.push(JSON.stringify(res.body));
  }
  assert.is(new Set(answers).size, 1, answers.join('\n'));
});

test('what the policy allows passes: strict sandbox, loopback URLs, files under the manifests folder, nested loopback judge', async () => {
  const ok = toy('allowed', { dataset: { plugin: 'humaneval', config: { path: 'toy.json', cacheDir: 'none' } } }, {
    executor: { plugin: 'python', config: { sandbox: 'required' } },
    ...judge({ plugin: 'openai-compatible', config: { baseURL: 'http://localhost:8000/v1', model: 'judge' } }),
  });
  const res = await api(url, '/v1/manifests/validate', { method: 'POST', body: JSON.stringify(ok) });
  assert.is(res.status, 200, JSON.stringify(res.body));
  // The nested judge's config came back validated, with its defaults filled in.
  assert.is(res.body.manifest.stages.scorer.config.generator.config.endpoint, 'completions');
});

test('sandbox "auto" (the default) is run and recorded as "required" over HTTP; the CLI keeps "auto"', async () => {
  for (const config of [{}, { sandbox: 'auto' }]) {
    const plain = toy('sandbox-auto', {}, { executor: { plugin: 'python', config } });
    const checked = await api(url, '/v1/manifests/validate', { method: 'POST', body: JSON.stringify(plain) });
    assert.is(checked.status, 200, JSON.stringify(checked.body));
    assert.is(checked.body.manifest.stages.executor.config.sandbox, 'required');
    // Submitted: the run's recorded manifest (what it executes with) says "required".
    const submitted = await api(url, '/v1/runs', { method: 'POST', body: JSON.stringify(plain) });
    assert.is(submitted.status, 202, JSON.stringify(submitted.body));
    const recorded = JSON.parse(readFileSync(join(server.ctx.store.root, submitted.body.id, 'manifest.json'), 'utf8'));
    assert.is(recorded.stages.executor.config.sandbox, 'required');
    await api(url, `/v1/runs/${submitted.body.id}/cancel`, { method: 'POST' });
  }
  // Inside a nested executor spec (the queue's workers' executor) too.
  const queued = toy('queued', {}, { executor: { plugin: 'queue', config: { redisEnv: 'CRUCIBLE_REDIS_URL', executor: { plugin: 'python' } } } });
  const wide = await serve({ passEnv: ['CRUCIBLE_REDIS_URL'] });
  try {
    const res = await api(wide.url, '/v1/manifests/validate', { method: 'POST', body: JSON.stringify(queued) });
    assert.is(res.status, 200, JSON.stringify(res.body));
    assert.is(res.body.manifest.stages.executor.config.executor.config.sandbox, 'required');
  } finally {
    await wide.close();
  }
  const local = await resolveManifestObject(composePosted(toy('cli', {}, { executor: { plugin: 'python' } }), MANIFESTS), MANIFESTS);
  assert.is((local.manifest.stages!.executor!.config as { sandbox: string }).sandbox, 'auto', 'a local user keeps "auto"');
});

test('operator flags widen the policy: --allow-unsandboxed, --allow-url, --data-dir, --pass-env', async () => {
  const data = tempDir('crucible-data-');
  const wide = await serve({ allowUnsandboxed: true, allowUrls: ['10.1.2.3:8000'], dataDirs: [data], passEnv: ['OPENAI_API_KEY'] });
  try {
    const manifest = toy('wide', { dataset: { plugin: 'humaneval', config: { path: join(data, 'HumanEval.jsonl') } } }, {
      executor: { plugin: 'python', config: { sandbox: 'off' } },
      generator: { plugin: 'openai-compatible', config: { baseURL: 'http://10.1.2.3:8000/v1', model: 'm', apiKeyEnv: 'OPENAI_API_KEY' } },
    });
    const res = await api(wide.url, '/v1/manifests/validate', { method: 'POST', body: JSON.stringify(manifest) });
    assert.is(res.status, 200, JSON.stringify(res.body));
    // --allow-url replaces the loopback default.
    const loop = await api(wide.url, '/v1/manifests/validate', { method: 'POST', body: JSON.stringify(toy('loop', {}, { generator: { plugin: 'openai-compatible', config: { baseURL: 'http://127.0.0.1:1/v1', model: 'm' } } })) });
    assert.is(loop.status, 400);
  } finally {
    await wide.close();
  }
});

test.run();
