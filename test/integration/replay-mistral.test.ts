// Issue 4's acceptance run: real samples (replay) -> python executor -> test-pass-rate -> all-pairs -> report,
// with report.html checked in headless Chromium.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { readLines, runManifest, tempDir } from '../helpers/kernel.js';

const manifest = join(import.meta.dirname, '..', '..', 'manifests', 'humaneval-replay-mistral.json');
const CHROMIUM = '/usr/bin/chromium';

test('replayed Mistral samples become TRL preference pairs, statistics and a rendered report', async () => {
  const { dir, outcome } = await runManifest(manifest, { runsDir: tempDir() });
  assert.is(outcome.state, 'SUCCEEDED', outcome.error?.format());
  const pairs = readLines(join(dir, 'stages/pair/preferences.jsonl')).map((l) => JSON.parse(l));
  assert.ok(pairs.length > 300, `${pairs.length} pairs`);
  for (const p of pairs.slice(0, 50)) {
    for (const key of ['prompt', 'chosen', 'rejected', 'problemId', 'chosenScore', 'rejectedScore', 'chosenStatus', 'rejectedStatus', 'chosenId', 'rejectedId']) assert.ok(key in p, `pair has ${key}`);
    assert.ok(p.chosenScore - p.rejectedScore >= 0.1 - 1e-9);
    assert.is.not(p.chosen, p.rejected);
  }
  const split = JSON.parse(readFileSync(join(dir, 'stages/split/split.json'), 'utf8'));
  assert.ok(pairs.every((p) => !split.test.includes(p.problemId)), 'no test problem is paired');
  const stats = JSON.parse(readFileSync(join(dir, 'stages/pair/pairing_stats.json'), 'utf8'));
  assert.ok(JSON.stringify(stats).includes('empty'), 'gate drops are counted by reason');

  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  try {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(join(dir, 'report.html')).href);
    const charts = await page.$$eval('figure.chart', (els) => els.map((el) => ({ id: el.getAttribute('data-chart'), w: el.querySelector('svg')!.getBoundingClientRect().width, marks: el.querySelectorAll('path[ecmeta_ssr_type="chart"]').length })));
    for (const id of ['score-gap', 'status-mix', 'executed-taxonomy']) {
      const chart = charts.find((c) => c.id === id);
      assert.ok(chart && chart.w > 100 && chart.marks > 0, `chart ${id} rendered: ${JSON.stringify(chart)}`);
    }
  } finally {
    await browser.close();
  }
});

test.run();
