// A real `crucible run` training process SIGKILLed mid-epoch, right after a checkpoint appears, then
// `crucible resume`: training continues at that checkpoint's step (not at step 0) and ends with the weights,
// curves and final metrics of an uninterrupted run. No timing decides anything: the kill follows the file.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from '../helpers/kernel.js';

const cli = join(import.meta.dirname, '..', '..', 'core', 'cli', 'main.ts');
const model = resolve(import.meta.dirname, '..', '..', 'models', 'crucible-tiny-coder');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const dir = tempDir();
const pairs = Array.from({ length: 48 }, (_, i) => ({
  prompt: `def add_${i}(x):\n    """Return x plus ${i}."""\n`,
  chosen: `    return x + ${i}\n`,
  rejected: `    return x - ${i}\n`,
}));
writeFileSync(join(dir, 'pairs.jsonl'), pairs.map((p) => JSON.stringify(p)).join('\n') + '\n');
// 48 examples, 4 per step: 12 steps an epoch, 2 epochs; a checkpoint every 2 steps (and at each epoch end).
const manifest = {
  name: 'sft-resume',
  seed: 7,
  dataset: { plugin: 'builtin', config: { count: 12 } },
  inputs: { preferences: 'pairs.jsonl' },
  stages: { trainer: { plugin: 'sft', config: { model, lr: 0.0005, epochs: 2, batchSize: 4, maxLength: 64, warmupSteps: 4, checkpointEvery: 2, logEvery: 1 } } },
};
const file = join(dir, 'sft-resume.json');
writeFileSync(file, JSON.stringify(manifest));
const env = { ...process.env, CI: '1' };

function crucible(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8', env });
  assert.is(r.status, 0, r.stderr);
  return r;
}

function runDirIn(runsDir: string): string | undefined {
  const id = existsSync(runsDir) ? readdirSync(runsDir).find((d) => d.includes('-sft-resume-')) : undefined;
  return id && join(runsDir, id);
}

interface Stored {
  stats: Record<string, unknown>;
  curves: Record<string, Array<[number, number]>>;
  model: { path: string };
}
const result = (runDir: string) => JSON.parse(readFileSync(join(runDir, 'stages', 'train', 'train_result.json'), 'utf8')) as Stored;
const weights = (runDir: string) => readFileSync(join(runDir, 'stages', 'train', 'model', 'model.safetensors'));

test('SIGKILL mid-epoch after a checkpoint, then `crucible resume`: same weights and final metrics as an uninterrupted run', async () => {
  const referenceRuns = tempDir();
  crucible(['run', file, '--runs-dir', referenceRuns, '--no-cache']);
  const reference = runDirIn(referenceRuns)!;

  const runsDir = tempDir();
  const child = spawn(process.execPath, ['--import', 'tsx', cli, 'run', file, '--runs-dir', runsDir, '--no-cache'], { stdio: 'ignore', env });
  const exited = new Promise((r) => child.once('exit', r));
  let checkpoint: { step: number; epoch: number; indexInEpoch: number } | undefined;
  for (let i = 0; i < 24000 && child.exitCode === null; i++) {
    await sleep(10);
    const runDir = runDirIn(runsDir);
    const loop = runDir && join(runDir, 'stages', 'train', 'checkpoint', 'loop.json');
    if (!loop || !existsSync(loop)) continue;
    try {
      const state = JSON.parse(readFileSync(loop, 'utf8')) as { step: number; epoch: number; indexInEpoch: number };
      // Inside the second epoch: a mid-epoch checkpoint that a restart at step 0 or at an epoch start would miss.
      if (state.epoch === 1 && state.indexInEpoch > 0) {
        checkpoint = state;
        break;
      }
    } catch {
      // Caught between the rename and the read: look again.
    }
  }
  child.kill('SIGKILL');
  await exited;
  assert.ok(checkpoint, 'no mid-epoch checkpoint was seen before the run ended');
  const runDir = runDirIn(runsDir)!;
  assert.not.ok(existsSync(join(runDir, 'stages', 'train', 'train_result.json')), 'the run finished training before the kill');

  crucible(['resume', runDir.split('/').at(-1)!, '--runs-dir', runsDir]);
  const resumed = result(runDir);
  const full = result(reference);
  // It resumed at the checkpoint it was killed after (or a later one written before the kill landed), never at 0.
  assert.ok(Number(resumed.stats.resumedAt) >= checkpoint!.step, `resumed at ${resumed.stats.resumedAt}, checkpoint ${checkpoint!.step}`);
  assert.ok(Number(resumed.stats.resumedAt) < 24, 'resumed after the end');
  assert.is(resumed.stats.steps, 24);
  assert.ok(weights(runDir).equals(weights(reference)), 'final weights differ from the uninterrupted run');
  assert.equal(resumed.curves, full.curves);
  for (const k of ['finalLoss', 'tokens', 'examples', 'steps']) assert.equal(resumed.stats[k], full.stats[k], k);
});

test.run();
