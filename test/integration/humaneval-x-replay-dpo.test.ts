// manifests/humaneval-x-replay-dpo.json: the quickstart loop on JavaScript with training. Replayed samples go
// through the sandboxed javascript executor, pairs whose chosen side passes every test train the embedded model
// with DPO. It validates and runs (on the first 20 problems, to stay short).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveManifest } from '../../core/index.js';
import { readLines, runManifest, tempDir } from '../helpers/kernel.js';

const manifest = join(import.meta.dirname, '..', '..', 'manifests', 'humaneval-x-replay-dpo.json');

test('validates, runs, and DPO trains on pairs the javascript executor decided', async () => {
  const resolved = await resolveManifest(manifest);
  assert.is((resolved.manifest.stages as Record<string, { plugin: string }>).executor.plugin, 'javascript');
  const { dir, outcome } = await runManifest(manifest, { runsDir: tempDir(), sets: ['dataset.limit=20'] });
  assert.is(outcome.state, 'SUCCEEDED', outcome.error?.format());
  const pairs = readLines(join(dir, 'stages/pair/preferences.jsonl')).map((l) => JSON.parse(l) as { chosenStatus: string; rejectedStatus: string });
  assert.ok(pairs.length >= 8 && pairs.every((p) => p.chosenStatus === 'SUCCESS' && p.rejectedStatus !== 'SUCCESS'), `${pairs.length} pairs`);
  const stats = JSON.parse(readFileSync(join(dir, 'stages/train/dpo_training_stats.json'), 'utf8')) as { pairs: number };
  assert.ok(stats.pairs > 0);
  assert.ok(existsSync(join(dir, 'stages/train/final_model/model.safetensors')));
});

test.run();
