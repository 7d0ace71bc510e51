// Issue 15: nested plugins go through the kernel (resolved, validated and recorded with the manifest; a spec
// the schema does not declare is refused), and a resumed run keeps every record of its first attempt.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { executeRun, isCrucibleError, resolveManifest, RunStore } from '../../core/index.js';
import { silentLogger } from '../../core/util/logger.js';
import { fixtures, runManifest, tempDir } from '../helpers/kernel.js';

const ROOT = join(import.meta.dirname, '..', '..');
const plugin = (name: string) => join(fixtures, 'plugins', name);
const judgeGenerator = join(ROOT, 'test', 'plugins', 'scorers', 'fixtures', 'judge-generator.ts');

function manifestFile(stages: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  const file = join(tempDir('crucible-nested-'), 'manifest.json');
  writeFileSync(file, JSON.stringify({
    name: 'nested',
    dataset: { plugin: plugin('toy-dataset.ts'), config: { size: 10 } },
    stages: { generator: { plugin: plugin('toy-generator.ts') }, executor: { plugin: plugin('toy-executor.ts') }, ...stages },
    output: { report: false },
    ...extra,
  }));
  return file;
}

test('a nested judge is validated with the manifest, created through ctx.plugins and recorded', async () => {
  const file = manifestFile({ scorer: { plugin: 'logprob-judge', config: { generator: { plugin: judgeGenerator, config: { model: 'judge-x' } } } } });
  const run = await runManifest(file, { runsDir: tempDir() });
  assert.is(run.outcome.state, 'SUCCEEDED', run.outcome.error?.format());
  const results = JSON.parse(readFileSync(join(run.dir, 'results.json'), 'utf8'));
  assert.is(results.run.plugins['scorer.config.generator'], 'test-judge@1.0.0');
  assert.is(results.run.records['scorer.judge'].judgeModel, 'judge-x');
  // Its defaults were filled in at validation: the stored manifest says exactly what ran.
  const manifest = JSON.parse(readFileSync(join(run.dir, 'manifest.json'), 'utf8'));
  assert.equal(manifest.stages.scorer.config.generator.config, { model: 'judge-x', logprobs: true });
});

test('a bad nested config fails validation, before anything runs, naming its path', async () => {
  const file = manifestFile({ scorer: { plugin: 'hybrid', config: { generator: { plugin: judgeGenerator, config: { model: 5, temprature: 1 } } } } });
  try {
    await resolveManifest(file);
    assert.unreachable('validated');
  } catch (error) {
    assert.ok(isCrucibleError(error) && error.code === 'CRUCIBLE_E_MANIFEST', String(error));
    const paths = error.issues.map((d) => d.path);
    assert.ok(paths.includes('stages.scorer.config.generator.config.model'), paths.join(', '));
    assert.ok(paths.includes('stages.scorer.config.generator.config.temprature'), paths.join(', '));
  }
});

test('ctx.plugins.create refuses a spec the plugin schema does not declare', async () => {
  const run = await runManifest(manifestFile({ scorer: { plugin: plugin('sneaky-scorer.ts') } }), { runsDir: tempDir() });
  assert.is(run.outcome.state, 'FAILED');
  assert.is(run.outcome.error?.code, 'CRUCIBLE_E_PLUGIN_NOT_ALLOWED');
  assert.match(run.outcome.error!.message, /stages\.scorer\.config\.spec: no nested generator plugin was resolved at this path/);
});

test('judge.ts creates its judge through ctx.plugins, not the registry', () => {
  const source = readFileSync(join(ROOT, 'plugins', 'scorers', 'judge.ts'), 'utf8');
  assert.not.match(source, /core\/registry/);
  assert.match(source, /ctx\.plugins\.create\('generator'/);
});

test('a resumed run keeps every record of its first attempt (replay.warnings)', async () => {
  const dir = tempDir('crucible-records-');
  const samples = join(dir, 'samples.jsonl');
  // Samples for 3 of the 10 toy problems: replay records warnings about the missing ones (onMismatch: warn).
  writeFileSync(samples, [0, 1, 2].map((k) => JSON.stringify({ task_id: `toy/${k}`, completion: `    return x + ${k}\n` })).join('\n') + '\n');
  const file = manifestFile(
    { generator: { plugin: 'replay', config: { path: samples, onMismatch: 'warn', n: 1 } }, scorer: { plugin: plugin('fail-once-scorer.ts'), config: { flag: join(dir, 'failed-once') } } },
    { generation: { splits: ['train', 'val'] } },
  );
  const runsDir = tempDir();
  const first = await runManifest(file, { runsDir });
  assert.is(first.outcome.state, 'FAILED');
  const warnings = JSON.parse(readFileSync(join(first.dir, 'events.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => l).find((l) => l.includes('"replay.warnings"'))!).value;
  assert.ok(warnings.missing.length > 0, 'the first attempt recorded warnings');
  const store = new RunStore(runsDir);
  try {
    const resumed = await executeRun(store, first.id, { logger: silentLogger() });
    assert.is(resumed.state, 'SUCCEEDED', resumed.error?.format());
    assert.is(resumed.stageLog.find((s) => s.stage === 'generate')?.status, 'run', 'generate was not redone');
    const results = JSON.parse(readFileSync(join(first.dir, 'results.json'), 'utf8'));
    assert.equal(results.run.records['replay.warnings'], warnings);
  } finally {
    store.close();
  }
});

test.run();
