// The report and the terminal summary are built from the typed summaries plugins return: a custom evaluator's
// summary and sections and a custom trainer's stats and sections appear like a built-in's; and no file of the
// kernel, the pipeline, the report or the comparison reads a built-in plugin's private output shape (names: test/core/builtin-names.test.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { formatTerminalSummary } from '../../../core/report/index.js';
import { fixtures, runManifest, tempDir } from '../../helpers/kernel.js';

const root = join(import.meta.dirname, '..', '..', '..');
const toy = join(fixtures, 'manifests', 'toy.json');

test("a custom evaluator's typed summary and a custom trainer's stats and sections appear in the report and the terminal", async () => {
  const { outcome, dir } = await runManifest(toy, { runsDir: tempDir(), sets: ['stages.evaluator.plugin=../plugins/summary-evaluator.ts', 'stages.trainer.plugin=../plugins/summary-trainer.ts'] });
  assert.is(outcome.state, 'SUCCEEDED', outcome.error?.format());
  const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  // Headline: the evaluator's comparison with its test, under the evaluator's own metric name.
  assert.match(html, /<th>metric<\/th><th>base<\/th><th>trained<\/th>/);
  assert.match(html, '<td>exactness</td>');
  assert.match(html, '0.0123');
  assert.match(html, 'Paired over 6 test problems');
  assert.match(html, 'one exactness sample set per model (custom evaluator)');
  assert.match(html, 'data-chart="metrics-ci"', 'metrics with a CI are charted');
  assert.match(html, 'Exactness by family');
  assert.match(html, '&lt;b&gt;bold&lt;/b&gt;', "a plugin's section is escaped");
  assert.not.match(html, 'nobody reads this');
  // The trainer's stats, curve and section.
  assert.match(html, 'custom/temperature_of_thought');
  assert.match(html, '0.424');
  assert.match(html, 'Notes from the trainer');
  assert.match(html, '<td>warm-up</td>');
  const text = formatTerminalSummary(results);
  assert.match(text, /evaluation {2}metric +base +trained/);
  assert.match(text, /exactness +[\d.]+ +[\d.]+ +[+-][\d.]+ +0\.0123 +0\.046/);
  assert.match(text, 'training    custom/temperature_of_thought 0.424');
});

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'ui' ? [] : sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

// Built-in names are checked over all of core/ by test/core/builtin-names.test.ts.
test('the kernel, the pipeline, the report and the comparison read no built-in output shape', () => {
  // Private shapes of built-ins: pass-at-k's details, the pairing strategies' old statistics, DPO's stats (its
  // epoch history, implicit rewards and log-ratios reach the rounds' table only as the trainer's own `metrics`).
  const shapes = ['passAtK', 'details.base', 'details.trained', 'details?.base', 'details?.trained', '.strategy', 'perProblem?.', 'epochHistory', 'rewards/', 'logratio'];
  const offenders: string[] = [];
  for (const file of ['kernel', 'pipeline', 'report', 'compare'].flatMap((dir) => sources(join(root, 'core', dir)))) {
    const text = readFileSync(file, 'utf8');
    for (const shape of shapes) if (text.includes(shape)) offenders.push(`${relative(root, file)}: ${shape}`);
  }
  assert.equal(offenders, []);
});

test.run();
