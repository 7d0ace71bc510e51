// The rounds' table and terminal lines show whatever numbers the trainer reported as its `metrics`, in its order:
// the report names no trainer's metric, so a third-party trainer's numbers appear like DPO's.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { roundsSection, roundsTerminal } from '../../../core/report/rounds.js';
import { trainingNumbers } from '../../../core/pipeline/rounds-summary.js';
import type { RunResults } from '../../../core/pipeline/run-results.js';
import type { TrainResult } from '../../../core/index.js';

function withRounds(training: Array<Record<string, number>>): RunResults {
  return {
    run: { id: 'r', name: 'rounds', seed: 42, startedAt: '', finishedAt: '', manifest: {}, plugins: {}, records: {} },
    dataset: { splitCounts: { train: 4, val: 2, test: 2 } },
    rounds: {
      count: training.length, reference: 'round-start', keep: 'last', selectOn: 'val', kept: training.length, decisions: {},
      curve: [0, ...training.map((_, i) => i + 1)].map((round) => ({ round, pass1: 0.1 * (round + 1), problems: 2, samples: 4 })),
      rounds: training.map((t, i) => ({ round: i + 1, sampledFrom: i, samplePass1: { train: 0.25, val: 0.5 }, samples: 8, pairs: { train: 3, val: 1 }, training: t, model: `./r${i + 1}` })),
    },
  };
}

test('a custom trainer\'s metrics become the columns of the rounds table, in the order it reported them', () => {
  const html = roundsSection(withRounds([{ 'my/energy': 1.5, 'my/accuracy': 0.625 }, { 'my/energy': 1.25, 'my/accuracy': 0.75, 'my/late': 2 }]));
  const headers = [...html.matchAll(/<th>([^<]*)<\/th>/g)].map((m) => m[1]);
  assert.equal(headers.slice(5, 8), ['my/energy', 'my/accuracy', 'my/late']);
  assert.match(html, /<td>0\.625<\/td>/);
  assert.match(html, /<td>1\.250<\/td>/);
  assert.not.match(html, /log-ratio|reward margin/);
});

test('the terminal names the first two of the trainer\'s metrics per round', () => {
  const lines = roundsTerminal(withRounds([{ 'my/energy': 1.5, 'my/accuracy': 0.625, 'my/third': 9 }]));
  const round = lines.find((l) => l.includes('round 1:'))!;
  assert.match(round, '3 train pairs, my/energy 1.500, my/accuracy 0.625');
  assert.not.match(round, 'my/third');
});

test('a round\'s numbers are the trainer\'s metrics when it reports them, else the finite numbers among its stats', () => {
  const model = { kind: 'policy' as const, path: '/m' };
  const withMetrics: TrainResult = { model, stats: { steps: 10, backend: 'wasm' }, metrics: { 'train/loss': 0.5, broken: Number.NaN } };
  assert.equal(trainingNumbers(withMetrics), { 'train/loss': 0.5 });
  const statsOnly: TrainResult = { model, stats: { steps: 10, backend: 'wasm', loss: 0.25 } };
  assert.equal(trainingNumbers(statsOnly), { steps: 10, loss: 0.25 });
});

test.run();
