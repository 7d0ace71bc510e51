// `crucible compare` of runs that differ only in their seed reports the mean and spread across seeds.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunsComparison } from '../../core/compare/compare.js';
import type { RunFacts } from '../../core/compare/facts.js';
import { formatComparison } from '../../core/compare/tables.js';
import { meanAndSd, seedSpreadTable } from '../../core/compare/seeds.js';

const run = (id: string, seed: number, pass1: number, p: number) =>
  ({ id, state: 'SUCCEEDED', plugins: {}, manifest: { seed, stages: { evaluator: { config: { seed: 42 } } } }, evaluation: { headline: { 'trained_pass@1': pass1, ttest_p: p, note: 'x' }, details: {} } }) as unknown as RunFacts;

const three: RunsComparison = {
  runs: [run('r42', 42, 0.256, 1e-10), run('r1', 1, 0.24, 0.001), run('r2', 2, 0.22, 0.02)],
  manifestDiff: [{ path: 'seed', values: [42, 1, 2] }],
  pairwise: [],
};

test('mean and sample standard deviation', () => {
  const { mean, sd } = meanAndSd([0.256, 0.24, 0.22]);
  assert.ok(Math.abs(mean - 0.23867) < 1e-4);
  assert.ok(Math.abs(sd - 0.018037) < 1e-5);
});

test('runs differing only in seed get a table of per-seed values, mean, sd and range', () => {
  const t = seedSpreadTable(three)!;
  assert.ok(t, 'no table');
  assert.match(t.title, 'Across 3 seeds (A: 42, B: 1, C: 2)');
  assert.equal(t.head, ['metric', 'A', 'B', 'C', 'mean', 'sd', 'range']);
  const row = t.rows.find((r) => r[0] === 'trained_pass@1')!;
  assert.is(row[4], '0.239');
  assert.is(row[5], '0.018');
  assert.equal(row.slice(1, 4), ['0.256', '0.240', '0.220']);
  assert.ok(!t.rows.some((r) => r[0] === 'note'), 'non-numeric headline values are left out');
  assert.match(formatComparison(three), 'Across 3 seeds');
});

test('runs that differ in anything besides seeds are not treated as repeats', () => {
  assert.is(seedSpreadTable({ ...three, manifestDiff: [...three.manifestDiff, { path: 'stages.trainer.config.lr', values: [1, 2, 3] }] }), undefined);
  assert.is(seedSpreadTable({ ...three, manifestDiff: [] }), undefined);
});

test.run();
