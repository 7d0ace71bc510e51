// The kernel checks what crosses each stage boundary against the kind's output schema: a malformed record stops
// the run with CRUCIBLE_E_PLUGIN_OUTPUT naming the plugin, the problem and the field, and nothing is written.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SPLIT, checkOutput, isCrucibleError, splitIds } from '../../core/index.js';
import { fixtures, runManifest, tempDir } from '../helpers/kernel.js';

const toy = join(fixtures, 'manifests', 'toy.json');
// A train-split problem of the toy dataset (20 problems, default split, seed 42): it is sampled, so it reaches every stage.
const ids = Array.from({ length: 20 }, (_, k) => `toy/${k}`);
const target = ids.find((id) => splitIds(ids, DEFAULT_SPLIT, 42).get(id) === 'train')!;

async function runWith(slot: string, plugin: string) {
  const runsDir = tempDir();
  const run = await runManifest(toy, { runsDir, sets: [`stages.${slot}.plugin=../plugins/${plugin}`, `stages.${slot}.config.break=${target}`] });
  assert.is(run.outcome.state, 'FAILED');
  assert.is(run.outcome.error?.code, 'CRUCIBLE_E_PLUGIN_OUTPUT', run.outcome.error?.format());
  return run;
}

test('pairs: a pair without "rejected" is refused with the plugin and the problem named; no preferences file', async () => {
  const { outcome, dir } = await runWith('pairing', 'malformed-pairing.ts');
  assert.match(outcome.error!.message, `pairing plugin "top-vs-bottom" returned a pair (#1) without "rejected" for ${target}`);
  assert.is(outcome.error!.issues[0].path, 'stages.pairing');
  assert.not.ok(existsSync(join(dir, 'stages/pair/preferences.jsonl')));
});

test('scores: a score outside [0, 1] is refused, naming which one', async () => {
  const { outcome, dir } = await runWith('scorer', 'malformed-scorer.ts');
  assert.match(outcome.error!.message, `scorer plugin "overflowing-scorer" returned a score (#2) whose value must be <= 1 for ${target}`);
  assert.not.ok(existsSync(join(dir, 'stages/score/scores.jsonl')));
});

test('executions: a status outside the taxonomy is refused, naming the field', async () => {
  const { outcome, dir } = await runWith('executor', 'malformed-executor.ts');
  assert.match(outcome.error!.message, `executor plugin "statusless-executor" returned an execution (#1) whose "status" must be equal to one of the allowed values for ${target}`);
  assert.not.ok(existsSync(join(dir, 'stages/execute/executions.jsonl')));
});

test('training: a metric that is not a number is refused, naming the field; no train result is written', async () => {
  const { outcome, dir } = await runWith('trainer', 'malformed-trainer.ts');
  assert.match(outcome.error!.message, 'trainer plugin "boastful-trainer" returned a training result whose "metrics.train/loss" must be number');
  assert.not.match(outcome.error!.message, 'very low');
  assert.is(outcome.error!.issues[0].path, 'stages.trainer');
  assert.not.ok(existsSync(join(dir, 'stages/train/train_result.json')));
});

test('counts: one score per candidate, and the value itself is never quoted', () => {
  const where = { kind: 'scorer', plugin: 's', problemId: 'p/1', count: 3 };
  assert.throws(() => checkOutput('scores', [0.5], where), (e: unknown) => isCrucibleError(e) && e.message.includes('returned 1 scores for 3 candidates for p/1'));
  try {
    checkOutput('pairs', [{ prompt: 'SECRET-PROMPT', chosen: 'SECRET-CODE', rejected: 7 }], { kind: 'pairing', plugin: 'x' });
    assert.unreachable();
  } catch (e) {
    assert.ok(isCrucibleError(e));
    assert.not.match(e.message, 'SECRET');
    assert.match(e.message, '"rejected" must be string');
  }
  checkOutput('pairs', [{ prompt: 'p', chosen: 'a', rejected: 'b' }], { kind: 'pairing', plugin: 'x' });
});

test.run();
