// The main job end to end, as `npm start` runs it: embedded model -> python executor -> pairs -> DPO ->
// base vs trained on the test split, with the report.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatTerminalSummary } from '../../core/report/index.js';
import { runManifest, tempDir } from '../helpers/kernel.js';

const manifest = join(import.meta.dirname, '..', '..', 'manifests', 'quickstart.json');

test('quickstart: base vs trained pass@k with paired tests, taxonomy change, curves, recorded facts', async () => {
  const { dir, outcome } = await runManifest(manifest, { runsDir: tempDir() });
  assert.is(outcome.state, 'SUCCEEDED', outcome.error?.format());
  const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
  const h = results.evaluation.headline;
  for (const key of ['base/pass@1', 'trained/pass@1', 'base/pass@10', 'trained/pass@10', 'ttest_p/pass@1', 'wilcoxon_p/pass@1']) assert.type(h[key], 'number', key);
  // The embedded model's baseline sits in the band the model was made for.
  assert.ok(h['base/pass@1'] >= 0.2 && h['base/pass@1'] <= 0.7, `base pass@1 ${h['base/pass@1']}`);
  const taxonomy = results.evaluation.details.comparison.taxonomy;
  assert.ok(['SYNTAX_ERROR', 'RUNTIME_ERROR', 'WRONG_OUTPUT', 'SUCCESS'].every((s) => taxonomy[s].a > 0), 'a real mix of error categories');
  // Reproducibility facts recorded with the run.
  const records = results.run.records;
  assert.ok(['wasm', 'cpu', 'tensorflow'].includes(records['tfjs.backend']));
  assert.is(records['generator.info'].promptFormat, 'completion:raw');
  assert.type(records['dataset.hash'], 'string');
  assert.ok(Object.keys(results.training.curves).includes('train/loss'));
  const summary = formatTerminalSummary(results);
  for (const part of ['pass@1', 'pass@10', 'errors', 't = ']) assert.ok(summary.includes(part), `summary shows ${part}`);
  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  assert.match(html, 'data-chart="curve-loss"');
  assert.match(html, 'data-chart="metrics-ci"');
});

test.run();
