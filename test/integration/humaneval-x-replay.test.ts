// manifests/humaneval-x-replay.json: the quickstart loop on JavaScript with replayed samples (canonical solutions
// and seeded mutants, examples/javascript-samples) through the sandboxed javascript executor. It validates, runs,
// and its stages hold what they should: every status of the taxonomy, pairs whose chosen side passes every test,
// no test-split problem paired, the evaluation on the test split.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveManifest } from '../../core/index.js';
import { readLines, runManifest, tempDir } from '../helpers/kernel.js';

const manifest = join(import.meta.dirname, '..', '..', 'manifests', 'humaneval-x-replay.json');

test('validates: the javascript executor, the humaneval-x dataset and the shipped files', async () => {
  const resolved = await resolveManifest(manifest);
  const stages = resolved.manifest.stages as Record<string, { plugin: string }>;
  assert.is(stages.executor.plugin, 'javascript');
  assert.is((resolved.manifest.dataset as { plugin: string }).plugin, 'humaneval-x');
});

test('runs: replayed JavaScript samples are executed, scored, paired and evaluated', async () => {
  // The first 30 problems (by id) keep the run short; the split and everything else are the manifest's own.
  const { dir, outcome } = await runManifest(manifest, { runsDir: tempDir(), sets: ['dataset.limit=30'] });
  assert.is(outcome.state, 'SUCCEEDED', outcome.error?.format());
  type Row = { status: string; isolation?: string };
  const executions = readLines(join(dir, 'stages/execute/executions.jsonl')).flatMap((l) => (JSON.parse(l) as { value: Row[] }).value);
  const statuses = new Set(executions.map((e) => e.status));
  for (const s of ['SUCCESS', 'WRONG_OUTPUT', 'RUNTIME_ERROR', 'SYNTAX_ERROR']) assert.ok(statuses.has(s), `${s} among ${[...statuses]}`);
  assert.ok(executions.every((e) => e.isolation === 'checker'));
  const pairs = readLines(join(dir, 'stages/pair/preferences.jsonl')).map((l) => JSON.parse(l) as { chosenStatus: string; rejectedStatus: string; problemId: string });
  assert.ok(pairs.length > 40, `${pairs.length} pairs`);
  assert.ok(pairs.every((p) => p.chosenStatus === 'SUCCESS' && p.rejectedStatus !== 'SUCCESS'));
  const split = JSON.parse(readFileSync(join(dir, 'stages/split/split.json'), 'utf8')) as { test: string[] };
  assert.ok(pairs.every((p) => !split.test.includes(p.problemId)), 'no test problem is paired');
  const evaluation = JSON.parse(readFileSync(join(dir, 'stages/evaluate/evaluation.json'), 'utf8')) as { headline: Record<string, number> };
  assert.ok(evaluation.headline['pass@1'] > 0 && evaluation.headline['pass@1'] < 1, JSON.stringify(evaluation.headline));
});

test.run();
