import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtures, readLines, runManifest, tempDir } from '../helpers/kernel.js';

const toy = join(fixtures, 'manifests', 'toy.json');
const cli = join(import.meta.dirname, '..', '..', 'core', 'cli', 'main.ts');
const OUTPUTS = ['stages/generate/candidates.jsonl', 'stages/execute/executions.jsonl', 'stages/score/scores.jsonl', 'stages/pair/preferences.jsonl', 'stages/evaluate/evaluation.json'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('SIGKILL mid-stage, then `crucible resume`, gives the outputs of an uninterrupted run', async () => {
  const sets = ['--set', 'stages.generator.config.delayMs=60'];
  const reference = await runManifest(toy, { runsDir: tempDir(), sets: ['stages.generator.config.delayMs=60'] });
  assert.is(reference.outcome.state, 'SUCCEEDED');

  const runsDir = tempDir();
  const counter = join(runsDir, 'generate.count');
  // Generation holds at a gate after 5 of the 14 problems, so the kill lands mid-stage however loaded the machine is.
  const gate = join(runsDir, 'gate');
  const child = spawn(process.execPath, ['--import', 'tsx', cli, 'run', toy, ...sets, '--set', `stages.generator.config.counter=${counter}`, '--set', `stages.generator.config.gate=${gate}`, '--set', 'stages.generator.config.gateAfter=5', '--runs-dir', runsDir], { stdio: 'ignore', env: { ...process.env, CI: '1' } });
  let partial = '';
  for (const end = Date.now() + 60_000; Date.now() < end && readLines(partial).length < 5; ) {
    await sleep(25);
    const id = readdirSync(runsDir).find((d) => d.includes('-toy-'));
    if (id) partial = join(runsDir, id, 'stages/generate/candidates.jsonl.partial');
  }
  const doneBeforeKill = readLines(partial).length;
  assert.is(doneBeforeKill, 5, `killed mid-stage (had ${doneBeforeKill} of 14)`);
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  writeFileSync(gate, '');
  const id = readdirSync(runsDir).find((d) => d.includes('-toy-'))!;
  assert.not.ok(existsSync(join(runsDir, id, 'results.json')));

  const resumed = spawnSync(process.execPath, ['--import', 'tsx', cli, 'resume', id, '--runs-dir', runsDir], { encoding: 'utf8', env: { ...process.env, CI: '1' } });
  assert.is(resumed.status, 0, resumed.stderr);
  for (const f of OUTPUTS) {
    assert.is(readFileSync(join(runsDir, id, f), 'utf8'), readFileSync(join(reference.dir, f), 'utf8'), `${f} differs`);
  }
  // Finished problems were not generated again (at most the one in flight at the kill was).
  const testIds: string[] = JSON.parse(readFileSync(join(runsDir, id, 'stages/split/split.json'), 'utf8')).test;
  const generated = readLines(counter).filter((l) => !testIds.includes(l.split(' ')[1]));
  assert.ok(generated.length >= 14 && generated.length <= 15, `generated ${generated.length} times for 14 problems`);
  const events = readLines(join(runsDir, id, 'events.jsonl')).map((l) => JSON.parse(l));
  assert.ok(events.some((e) => e.type === 'state' && e.state === 'SUCCEEDED'));
});

test.run();
