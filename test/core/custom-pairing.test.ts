// Pairing statistics and quality gates are the kernel's: a custom pairing plugin (toy-pairing: no finalize, no
// statistics of its own) gets the same numbers in results.json, the terminal summary and report.html as a
// built-in one, and its pairs go through the gates of stages.pairing.gates.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatTerminalSummary } from '../../core/report/index.js';
import { fixtures, readLines, runManifest, tempDir } from '../helpers/kernel.js';

const toy = join(fixtures, 'manifests', 'toy.json');

test('a custom pairing plugin gets the kernel statistics: pairs, problems, gaps, status mix, gates', async () => {
  const { outcome, dir } = await runManifest(toy, { runsDir: tempDir() });
  assert.is(outcome.state, 'SUCCEEDED', outcome.error?.format());
  const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
  const stats = results.pairing.stats;
  const pairs = readLines(join(dir, 'stages/pair/preferences.jsonl')).map((l) => JSON.parse(l));
  assert.ok(pairs.length > 0);
  assert.is(stats.plugin, 'toy-pairing');
  assert.is(stats.pairs, pairs.length);
  assert.is(stats.problems, new Set(pairs.map((p) => p.problemId)).size);
  const perProblem = new Map<string, number>();
  for (const p of pairs) perProblem.set(p.problemId, (perProblem.get(p.problemId) ?? 0) + 1);
  assert.is(stats.pairsPerProblem.max, Math.max(...perProblem.values()));
  assert.is(stats.scoreGap.histogram.counts.reduce((s: number, v: number) => s + v, 0), pairs.length);
  assert.equal(stats.gates.thresholds, { minPairs: 1, minProblems: 1, maxDropShare: 0.5 });
  assert.is(stats.gates.kept, pairs.length);
  assert.is(stats.pluginStats, undefined, 'toy-pairing reports nothing of its own');
  const summary = formatTerminalSummary(results);
  assert.match(summary, `pairing     ${pairs.length} pairs from ${stats.problems} problems (toy-pairing); gates dropped 0`);
  assert.not.match(summary, '?');
  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  assert.match(html, `<td>problems with pairs</td><td>${stats.problems}</td>`);
  assert.not.match(html, 'undefined');
});

test('the gates apply to a custom pairing plugin: CRUCIBLE_E_PAIRING_GATES at stages.pairing.gates, report written', async () => {
  const { outcome, dir } = await runManifest(toy, { runsDir: tempDir(), sets: ['stages.pairing.gates.minPairs=100000'] });
  assert.is(outcome.state, 'FAILED');
  assert.is(outcome.error?.code, 'CRUCIBLE_E_PAIRING_GATES', outcome.error?.format());
  assert.equal(outcome.error!.issues.map((d) => d.path), ['stages.pairing.gates.minPairs']);
  const report = JSON.parse(readFileSync(join(dir, 'stages/pair/pairing_gates_report.json'), 'utf8'));
  assert.is(report.plugin, 'toy-pairing');
  assert.is(report.gates.passed, false);
  assert.ok(report.beforeGates.pairs > 0);
  assert.not.ok(existsSync(join(dir, 'stages/pair/preferences.jsonl')), 'nothing reaches a trainer');
});

test('a pattern in stages.pairing.gates drops matching pairs of a custom plugin, counted as templates', async () => {
  const plain = await runManifest(toy, { runsDir: tempDir() });
  const base = JSON.parse(readFileSync(join(plain.dir, 'results.json'), 'utf8')).pairing.stats;
  const pairs = readLines(join(plain.dir, 'stages/pair/preferences.jsonl')).map((l) => JSON.parse(l));
  const victim = pairs[0].rejected.trim();
  const matching = pairs.filter((p) => p.rejected.includes(victim) || p.chosen.includes(victim)).length;
  const { outcome, dir } = await runManifest(toy, { runsDir: tempDir(), sets: [`stages.pairing.gates.rejectPatterns=${JSON.stringify([victim.replace(/[+]/g, '\\+')])}`, 'stages.pairing.gates.maxDropShare=1'] });
  assert.is(outcome.state, 'SUCCEEDED', outcome.error?.format());
  const stats = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')).pairing.stats;
  assert.is(stats.gates.input, base.pairs);
  assert.is(stats.gates.dropped.template + stats.gates.dropped.chosen_invalid, matching);
  assert.is(stats.pairs, base.pairs - matching);
});

test.run();
