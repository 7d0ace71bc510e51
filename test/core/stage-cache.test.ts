// Issue 15: stage cache keys follow the plugin's code, not only its declared version; `--no-cache` reuses
// nothing; `--fresh STAGE` reruns that stage and what follows. Each run is its own `crucible run` process
// (a changed module is only seen by a new process, as in real use).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtures, readLines, runManifest, tempDir } from '../helpers/kernel.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'core', 'cli', 'main.ts');
const work = tempDir('crucible-stale-');
const runsDir = join(work, 'runs');
const manifest = join(work, 'manifest.json');
const scorerFile = join(work, 'scaled-scorer.ts');

/** A local scorer whose factor is its code; the version never changes. */
function writeScorer(factor: number): void {
  writeFileSync(scorerFile, `import { definePlugin } from ${JSON.stringify(join(ROOT, 'core', 'index.ts'))};
export default definePlugin({
  kind: 'scorer', name: 'scaled-scorer', version: '1.0.0', apiVersion: '^1',
  configSchema: { type: 'object', additionalProperties: false, properties: {} } as const,
  create: () => ({ score: async (_p, _c, executions) => executions.map((e) => e.passRate * ${factor}) }),
});
`);
}

writeFileSync(manifest, JSON.stringify({
  name: 'stale',
  dataset: { plugin: join(fixtures, 'plugins', 'toy-dataset.ts'), config: { size: 12 } },
  stages: {
    generator: { plugin: join(fixtures, 'plugins', 'toy-generator.ts') },
    executor: { plugin: join(fixtures, 'plugins', 'toy-executor.ts') },
    scorer: { plugin: './scaled-scorer.ts' },
    pairing: { plugin: join(fixtures, 'plugins', 'toy-pairing.ts'), config: { minGap: 0.1 } },
  },
  output: { report: false },
}));

/** Runs the manifest; returns how each stage went (ran / cache) and the scores written. */
function run(...flags: string[]): { stages: Record<string, string>; scores: number[] } {
  const before = new Set(readdirSync(runsDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name));
  const res = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'run', manifest, '--runs-dir', runsDir, ...flags], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: '1' } });
  assert.is(res.status, 0, res.stderr);
  const id = readdirSync(runsDir).find((d) => !before.has(d) && d.includes('-stale-'))!;
  const results = JSON.parse(readFileSync(join(runsDir, id, 'results.json'), 'utf8'));
  const stages = Object.fromEntries((results.run.stages as Array<{ stage: string; status: string }>).map((s) => [s.stage, s.status]));
  const scores = readLines(join(runsDir, id, 'stages', 'score', 'scores.jsonl')).flatMap((l) => JSON.parse(l).value as number[]);
  return { stages, scores };
}

test.before(() => {
  spawnSync('mkdir', ['-p', runsDir]);
  writeScorer(0.25);
});

test('a local plugin changed at the same version: its stage and the following ones rerun, with the new result', () => {
  const first = run();
  assert.ok(first.scores.some((s) => s === 0.25) && first.scores.every((s) => s === 0 || s === 0.25), String(first.scores));
  const again = run();
  assert.equal(again.stages, { dataset: 'cache', split: 'cache', generate: 'cache', execute: 'cache', score: 'cache', pair: 'cache' });
  writeScorer(0.75);
  const changed = run();
  assert.equal(changed.stages, { dataset: 'cache', split: 'cache', generate: 'cache', execute: 'cache', score: 'ran', pair: 'ran' });
  assert.ok(changed.scores.some((s) => s === 0.75) && changed.scores.every((s) => s === 0 || s === 0.75), String(changed.scores));
});

test('--no-cache reruns every stage; --fresh STAGE reruns that stage and the ones after it', () => {
  const none = run('--no-cache');
  assert.ok(Object.values(none.stages).every((s) => s === 'ran'), JSON.stringify(none.stages));
  const fresh = run('--fresh', 'execute');
  assert.equal(fresh.stages, { dataset: 'cache', split: 'cache', generate: 'cache', execute: 'ran', score: 'ran', pair: 'ran' });
  const typo = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'run', manifest, '--runs-dir', runsDir, '--fresh', 'scoring'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: '1' } });
  assert.is(typo.status, 2);
  assert.match(typo.stderr, /CRUCIBLE_E_INPUT: --fresh: unknown stage "scoring" \(did you mean "score"\?/);
});

test('the programmatic API refuses an unknown --fresh stage too, naming the pipeline\'s stages, before any stage runs', async () => {
  const runsDir = tempDir();
  const { outcome, dir } = await runManifest(join(fixtures, 'manifests', 'toy.json'), { runsDir, cache: { fresh: 'scoring' } });
  assert.is(outcome.state, 'FAILED');
  assert.is(outcome.error?.code, 'CRUCIBLE_E_INPUT');
  assert.match(outcome.error!.issues[0].message, 'unknown stage "scoring"');
  assert.match(outcome.error!.issues[0].hint ?? '', 'dataset, split, generate, execute, score, pair, train, evaluate');
  assert.equal(outcome.stageLog, []);
  assert.not.ok(readdirSync(dir).includes('stages'));
});

test.run();
