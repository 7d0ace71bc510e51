// ctx.shared: the run's DI container as a service registry plugins share. A generator and a judge asking for the
// same model get one instance, created once per run and closed when the run ends; another run gets its own.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { createTestContext } from '../../core/testing/index.js';
import { fixtures, readLines, runManifest, tempDir } from '../helpers/kernel.js';

const toy = join(fixtures, 'manifests', 'toy.json');

test('one model shared by a generator and a judge is loaded once per run and closed at its end', async () => {
  const dir = tempDir();
  const log = join(dir, 'model.log');
  const sets = [`stages.generator.plugin=../plugins/model-generator.ts`, `stages.generator.config.log=${log}`, `stages.scorer.plugin=../plugins/model-judge.ts`, `stages.scorer.config.log=${log}`];
  const first = await runManifest(toy, { runsDir: join(dir, 'a'), sets });
  assert.is(first.outcome.state, 'SUCCEEDED', first.outcome.error?.format());
  assert.equal(readLines(log), ['load by generator', 'close'], 'the judge got the generator\'s model');
  const events = readLines(join(first.dir, 'events.jsonl')).map((l) => JSON.parse(l)).filter((e) => e.type === 'shared');
  assert.equal(events.map((e) => e.data?.key ?? e.key), ['toy:model']);
  // A second run (its own container) loads its own.
  const second = await runManifest(toy, { runsDir: join(dir, 'b'), sets });
  assert.is(second.outcome.state, 'SUCCEEDED', second.outcome.error?.format());
  assert.equal(readLines(log), ['load by generator', 'close', 'load by generator', 'close']);
});

test('a test context is one run: plugins created with it share, a failed creation is retried by no one', async () => {
  const ctx = createTestContext();
  let loads = 0;
  const [a, b] = await Promise.all([ctx.shared.get('m', () => ({ id: ++loads })), ctx.shared.get('m', () => ({ id: ++loads }))]);
  assert.is(a, b);
  assert.is(loads, 1);
  const failing = ctx.shared.get('broken', () => { throw new Error('cannot load'); });
  await failing.then(() => assert.unreachable(), (e: Error) => assert.is(e.message, 'cannot load'));
  await ctx.shared.get('broken', () => 'second try').then(() => assert.unreachable(), (e: Error) => assert.is(e.message, 'cannot load'));
});

test.run();
