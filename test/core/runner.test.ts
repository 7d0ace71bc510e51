import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtures, readLines, runManifest, tempDir } from '../helpers/kernel.js';

const toy = join(fixtures, 'manifests', 'toy.json');
const withCounter = (file: string) => ['generator', 'executor', 'scorer', 'pairing', 'trainer', 'evaluator'].map((s) => `stages.${s}.config.counter=${file}`);

test('a full run writes every stage output, the index row and results.json', async () => {
  const runsDir = tempDir();
  const { dir, outcome, row } = await runManifest(toy, { runsDir });
  assert.is(outcome.state, 'SUCCEEDED', outcome.error?.format());
  assert.is(row.state, 'SUCCEEDED');
  for (const f of ['manifest.json', 'events.jsonl', 'stages/generate/candidates.jsonl', 'stages/execute/executions.jsonl', 'stages/score/scores.jsonl', 'stages/pair/preferences.jsonl', 'stages/train/train_result.json', 'stages/evaluate/evaluation.json', 'results.json']) {
    assert.ok(existsSync(join(dir, f)), `missing ${f}`);
  }
  const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
  assert.equal(results.dataset.splitCounts, { train: 10, val: 4, test: 6 });
  assert.ok(results.evaluation.headline['trained/passRate'] > results.evaluation.headline['base/passRate']);
  // Generation covers train and val problems only: never a test problem.
  const split = JSON.parse(readFileSync(join(dir, 'stages/split/split.json'), 'utf8'));
  const generated = readLines(join(dir, 'stages/generate/candidates.jsonl')).map((l) => JSON.parse(l).problemId);
  assert.is(generated.length, 14);
  assert.ok(generated.every((id: string) => !split.test.includes(id)));
  const seqs = readLines(join(dir, 'events.jsonl')).map((l) => JSON.parse(l).seq);
  assert.equal(seqs, seqs.map((_: number, i: number) => i + 1));
});

test('changing only the pairing slot reruns pairing and what follows, nothing upstream (counted)', async () => {
  const runsDir = tempDir();
  const first = join(runsDir, 'first.count');
  const second = join(runsDir, 'second.count');
  await runManifest(toy, { runsDir, sets: withCounter(first) });
  assert.ok(readLines(first).some((l) => l.startsWith('generate')));
  assert.is(readLines(first).filter((l) => l.startsWith('pair ')).length, 14);
  // Counters are part of the config, so keep them identical upstream and only change pairing.
  const sets = [...withCounter(first).filter((s) => !s.startsWith('stages.pairing') && !s.startsWith('stages.trainer') && !s.startsWith('stages.evaluator')), `stages.pairing.config.counter=${second}`, `stages.trainer.config.counter=${second}`, `stages.evaluator.config.counter=${second}`, 'stages.pairing.config.maxPairs=1'];
  // The evaluator samples and executes test problems itself; the stages only ever touch train/val problems.
  const upstream = (file: string, testIds: string[]) => readLines(file).filter((l) => /^(generate|execute|score) /.test(l) && !testIds.includes(l.split(' ')[1]));
  const { outcome, dir } = await runManifest(toy, { runsDir, sets: [...sets] }).then(async (r) => r);
  const testIds: string[] = JSON.parse(readFileSync(join(dir, 'stages/split/split.json'), 'utf8')).test;
  assert.is(outcome.state, 'SUCCEEDED');
  assert.is(upstream(first, testIds).length, 14 * 3, 'generate/execute/score ran once per train/val problem, in the first run only');
  const rerun = readLines(second);
  assert.ok(rerun.some((l) => l.startsWith('pair ')));
  assert.ok(rerun.some((l) => l.startsWith('train ')));
  assert.ok(rerun.some((l) => l.startsWith('evaluate ')));
  const reused = outcome.stageLog.filter((s) => s.status === 'cache').map((s) => s.stage);
  assert.equal(reused, ['dataset', 'split', 'generate', 'execute', 'score']);
  // The generator's model and prompt format are recorded even though its samples came from the cache.
  const records = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')).run.records;
  assert.equal(records['generator.info'], { model: 'toy-base', promptFormat: 'completion:raw' });
});

test('a record from a test problem reaching the trainer fails the run with CRUCIBLE_E_LEAKAGE', async () => {
  const runsDir = tempDir();
  // Find a test-split id with a first run, then feed it as an external preference pair.
  const { dir } = await runManifest(toy, { runsDir });
  const testId = JSON.parse(readFileSync(join(dir, 'stages/split/split.json'), 'utf8')).test[0];
  const prefs = join(runsDir, 'prefs.jsonl');
  writeFileSync(prefs, JSON.stringify({ prompt: 'p', chosen: 'a', rejected: 'b', problemId: testId }) + '\n');
  const { outcome, row } = await runManifest(toy, { runsDir, sets: [`inputs.preferences=${prefs}`] });
  assert.is(outcome.state, 'FAILED');
  assert.is(outcome.error?.code, 'CRUCIBLE_E_LEAKAGE');
  assert.match(outcome.error!.message, testId);
  assert.is(row.error?.code, 'CRUCIBLE_E_LEAKAGE');
});

test('a malformed external preference line fails with its line number', async () => {
  const runsDir = tempDir();
  const prefs = join(runsDir, 'prefs.jsonl');
  writeFileSync(prefs, JSON.stringify({ prompt: 'p', chosen: 'a', rejected: 'b' }) + '\n{"prompt": "p", "chosen": 3}\n');
  const { outcome } = await runManifest(toy, { runsDir, sets: [`inputs.preferences=${prefs}`] });
  assert.is(outcome.error?.code, 'CRUCIBLE_E_INPUT');
  assert.match(outcome.error!.message, 'prefs.jsonl:2');
});

test.run();
