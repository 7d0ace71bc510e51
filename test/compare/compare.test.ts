// `crucible compare` and `crucible runs` on real runs: two replay runs of the Mistral samples (all-pairs vs
// best-of-n) and a two-run quickstart sweep (learning rate), whose second run takes the base evaluation from
// the cache.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runManifest, tempDir } from '../helpers/kernel.js';
import { RunStore } from '../../core/store/run-store.js';

const root = join(import.meta.dirname, '..', '..');
const runsDir = tempDir();

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'core/cli/main.ts'), ...args, '--runs-dir', runsDir], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const replay = join(root, 'manifests', 'humaneval-replay-mistral.json');
const quickstart = join(root, 'manifests', 'quickstart.json');
const QUICK = ['dataset.limit=30', 'stages.generator.config.n=4', 'stages.evaluator.config.n=4', 'stages.evaluator.config.k=[1,4]'];
const ids: Record<string, string> = {};

test('setup: two replay runs and a two-run quickstart sweep', async () => {
  for (const [name, sets] of [['allPairs', ['dataset.limit=40']], ['bestOfN', ['dataset.limit=40', 'stages.pairing.plugin=best-of-n']]] as const) {
    const r = await runManifest(replay, { runsDir, sets: [...sets] });
    assert.is(r.outcome.state, 'SUCCEEDED', r.outcome.error?.format());
    ids[name] = r.id;
  }
  for (const [name, lr] of [['lrLow', '0.0001'], ['lrHigh', '0.0003']]) {
    const r = await runManifest(quickstart, { runsDir, sets: [...QUICK, `stages.trainer.config.lr=${lr}`] });
    assert.is(r.outcome.state, 'SUCCEEDED', r.outcome.error?.format());
    ids[name] = r.id;
  }
});

test('the second run of a sweep takes the base evaluation from the cache', () => {
  const results = (id: string) => JSON.parse(readFileSync(join(runsDir, id, 'results.json'), 'utf8'));
  const first = results(ids.lrLow);
  const second = results(ids.lrHigh);
  assert.is(first.run.records['evaluation.base'], undefined, 'the first run evaluated the base model itself');
  assert.is(second.run.records['evaluation.base']?.fromCache, true, 'the second run reused it');
  assert.equal(second.evaluation.details.base.perProblem, first.evaluation.details.base.perProblem);
  // Training did differ, so the trained model was evaluated anew.
  assert.ok(second.run.stages.find((s: { stage: string }) => s.stage === 'evaluate').status !== 'cache');
});

test('compare of two replay runs prints the pairing and score differences, rounded', () => {
  const { code, out, err } = cli('compare', ids.allPairs, ids.bestOfN);
  assert.is(code, 0, err);
  for (const part of ['What differed', 'stages.pairing.plugin', 'all-pairs', 'best-of-n', 'Executed samples', 'pass@1', 'SYNTAX_ERROR', 'Scores', 'Pairing', 'pairs per problem', 'Per-problem flips']) assert.ok(out.includes(part), `shows ${part}`);
  assert.not.match(out, /\d\.\d{4,}/, 'numbers are rounded');
  const pairs = out.split('\n').find((l) => /^\s+pairs\s/.test(l))!;
  const [a, b] = pairs.trim().split(/\s+/).slice(1, 3).map(Number);
  assert.ok(a > b, `all-pairs makes more pairs than best-of-n: ${pairs}`);
});

test('compare --json and --html', () => {
  const json = cli('compare', ids.allPairs, ids.bestOfN, '--json');
  assert.is(json.code, 0, json.err);
  const c = JSON.parse(json.out);
  assert.is(c.runs.length, 2);
  assert.ok(c.manifestDiff.some((d: { path: string; values: unknown[] }) => d.path === 'stages.pairing.plugin' && d.values[1] === 'best-of-n'));
  assert.ok(c.runs[0].pairing.pairs > c.runs[1].pairing.pairs);
  assert.is(c.pairwise[0].flips.failToPass.length + c.pairwise[0].flips.passToFail.length, 0, 'same samples, same verdicts');
  const file = join(tempDir(), 'compare.html');
  const html = cli('compare', ids.allPairs, ids.bestOfN, '--html', file);
  assert.is(html.code, 0, html.err);
  assert.ok(existsSync(file));
  const page = readFileSync(file, 'utf8');
  for (const part of ['data-chart="compare-scores"', 'data-chart="compare-taxonomy"', 'data-table="pairing"', '<svg']) assert.ok(page.includes(part), part);
  assert.not.match(page, /<script/i, 'no script needed');
});

test('compare of two quickstart runs prints the paired evaluation with p-values', () => {
  const { code, out, err } = cli('compare', ids.lrLow, ids.lrHigh);
  assert.is(code, 0, err);
  assert.ok(out.includes('stages.trainer.config.lr'));
  assert.ok(out.includes('Training'));
  const section = out.slice(out.indexOf('Evaluation, B vs A'));
  assert.ok(section.length > 0 && section.includes('p (t-test)') && section.includes('p (Wilcoxon)'), out);
  const row = section.split('\n').find((l) => /^\s+pass@1\s/.test(l))!;
  const cells = row.trim().split(/\s+/);
  assert.is(cells.length, 6, row);
  assert.ok(Number(cells[4]) >= 0 && Number(cells[4]) <= 1, `a p-value: ${row}`);
});

test('compare needs two runs; an unknown run is exit 2', () => {
  assert.is(cli('compare', ids.allPairs).code, 2);
  const missing = cli('compare', ids.allPairs, 'no-such-run');
  assert.is(missing.code, 2);
  assert.match(missing.err, 'CRUCIBLE_E_RUN_NOT_FOUND');
});

test('runs shows the metrics that differ (trained and deltas first) and where a failed run stopped', async () => {
  // pass@10 from 4 samples fails in the evaluate stage; every earlier stage comes from the cache.
  const failed = await runManifest(quickstart, { runsDir, sets: [...QUICK.slice(0, 3), 'stages.evaluator.config.k=[1,10]'] });
  assert.is(failed.outcome.state, 'FAILED');
  const { code, out, err } = cli('runs');
  assert.is(code, 0, err);
  const line = (id: string) => out.split('\n').find((l) => l.startsWith(id))!;
  assert.match(line(failed.id), /FAILED\s+at evaluate: CRUCIBLE_E_EVAL: .*pass@10/);
  assert.match(line(ids.lrHigh), /trained\/pass@1=/);
  assert.ok(!line(ids.lrHigh).includes('base/pass@1='), 'base metrics are the same across the sweep: hidden');
  assert.match(line(ids.allPairs), /samples\/pass@1=/, 'a replay run shows what it executed');
  // Tags (set over HTTP with PATCH /v1/runs/:id) filter the list.
  const store = new RunStore(runsDir);
  store.index.setLabels(ids.bestOfN, { tags: ['pairing-sweep'] });
  store.close();
  const tagged = cli('runs', '--tag', 'pairing-sweep').out.trim().split('\n');
  assert.is(tagged.length, 1);
  assert.ok(tagged[0].startsWith(ids.bestOfN));
});

test.run();
