import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { formatTerminalSummary, renderReport, writeReport, type RunResults } from '../../../core/report/index.js';
import { fullResults } from './fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

test('report.html renders every chart in headless Chromium, offline', async () => {
  // CI installs Debian's chromium (.ci/run); a missing browser is a failure, never a silent pass.
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install it with "apt-get install -y chromium" (the report test needs a real browser)`);
  const results = await fullResults();
  const dir = mkdtempSync(join(tmpdir(), 'crucible-report-'));
  const file = await writeReport(dir, results);
  const html = readFileSync(file, 'utf8');
  assert.not.match(html, /(src|href)=["']?https?:/i, 'no external resources');
  assert.not.match(html, /<script/i, 'no scripts needed');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (r) => { if (!r.url().startsWith('file:')) requests.push(r.url()); });
    await page.goto(pathToFileURL(file).href);
    // ECharts' SVG: bars carry ecmeta_ssr_type="chart"; line series are unfilled 2px paths outside the legend.
    const charts = await page.$$eval('figure.chart', (els) => els.map((el) => {
      const box = el.querySelector('svg')!.getBoundingClientRect();
      const marks = [...el.querySelectorAll('path[ecmeta_ssr_type="chart"]:not([ecmeta_silent]), path[fill="none"][stroke-width="2"]:not([transform])')].map((m) => { const b = (m as SVGGraphicsElement).getBBox(); return { w: b.width, h: b.height }; });
      return { id: el.getAttribute('data-chart'), w: box.width, h: box.height, marks };
    }));
    const ids = charts.map((c) => c.id);
    for (const id of ['metrics-ci', 'error-taxonomy', 'score-gap', 'status-mix', 'curve-loss', 'curve-accuracies']) assert.ok(ids.includes(id), `chart ${id} missing (have ${ids.join(', ')})`);
    for (const c of charts) {
      assert.ok(c.w > 100 && c.h > 100, `chart ${c.id} has size ${c.w}x${c.h}`);
      assert.ok(c.marks.length > 0, `chart ${c.id} has no marks`);
      assert.ok(c.marks.some((m) => m.w > 0 && (m.h > 0 || Boolean(c.id?.startsWith('curve-')))), `chart ${c.id} marks have no size`);
    }
    // No two labels of a chart (legend entries, ticks, titles) overlap.
    const overlaps = await page.$$eval('figure.chart', (els) => els.flatMap((el) => {
      const boxes = [...el.querySelectorAll('text')].filter((t) => (t.textContent ?? '').trim()).map((t) => ({ text: t.textContent, r: t.getBoundingClientRect() }));
      const out: string[] = [];
      for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
        const [a, b] = [boxes[i].r, boxes[j].r];
        if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) out.push(`${el.getAttribute('data-chart')}: "${boxes[i].text}" / "${boxes[j].text}"`);
      }
      return out;
    }));
    assert.equal(overlaps, [], 'overlapping labels');
    const passBars = charts.find((c) => c.id === 'metrics-ci')!;
    assert.is(passBars.marks.length, 4, 'pass@1 and pass@10, before and after');
    assert.is(await page.locator('figure[data-chart="metrics-ci"] path[stroke="#111827"]').count(), 4 * 3, 'confidence intervals drawn (a stem and two caps each)');
    const lossLines = charts.find((c) => c.id === 'curve-loss')!;
    assert.is(lossLines.marks.length, 2, 'train/loss and val/loss share a chart');
    const headline = await page.locator('#headline table').innerText();
    assert.match(headline, /pass@1/);
    assert.match(headline, /Wilcoxon p/);
    assert.is(await page.title(), 'crucible · quickstart <dpo> & "friends" · r-20250101-abc');
    const meta = await page.locator('#metadata').innerText();
    for (const fact of ['wasm', 'completion:raw', 'all-pairs@1.0.0', 'sha256:abc123', '"minGap": 0.1']) assert.ok(meta.includes(fact), `metadata shows ${fact}`);
    assert.equal(requests, [], 'the page loaded nothing from the network');
  } finally {
    await browser.close();
  }
});

test('a run without training, pairing or comparison still renders and says what did not run', async () => {
  const full = await fullResults();
  const minimal: RunResults = { run: full.run, dataset: { splitCounts: { test: 6 } }, evaluation: { headline: full.evaluation!.headline, details: {}, summary: { models: [full.evaluation!.summary!.models[0]] } } };
  const html = renderReport(minimal);
  assert.match(html, /No trainer ran in this run/);
  assert.match(html, /No pairing stage ran in this run/);
  assert.match(html, /data-chart="metrics-ci"/);
  assert.not.match(html, /<dpo>/, 'text is escaped');
  const bare = renderReport({ run: full.run, dataset: { splitCounts: {} } });
  assert.match(bare, /Nothing was executed or evaluated in this run/);
  const replay = renderReport({ run: full.run, dataset: { splitCounts: {} }, execution: { samples: 20, problems: 2, passAt1: 0.25, compileRate: 0.9, meanTestPassRate: 0.4, taxonomy: { SUCCESS: 5, WRONG_OUTPUT: 13, SYNTAX_ERROR: 2 } } });
  assert.match(replay, /pass@1 of the executed samples<\/td><td>0\.250/);
  assert.match(replay, /data-chart="executed-taxonomy"/);
});

test('terminal summary: concise, with the comparison and its p-values', async () => {
  const results = await fullResults();
  const text = formatTerminalSummary(results, { reportPath: 'runs/r-20250101-abc/report.html' });
  const lines = text.split('\n');
  assert.ok(lines.length < 20, text);
  assert.match(text, /20 problems \(train 10 \/ val 4 \/ test 6\)/);
  assert.match(text, /pairing\s+\d+ pairs from 1 problems \(all-pairs\); gates dropped 2 \(refusal 2\)/);
  assert.match(text, /pass@1\s+0\.\d{3}\s+0\.\d{3}\s+\+0\.\d{3}/);
  assert.match(text, /pass@1 difference 95% CI \[/);
  assert.match(text, /report\s+runs\/r-20250101-abc\/report\.html/);
  const single = formatTerminalSummary({ run: results.run, dataset: { splitCounts: { test: 6 } }, evaluation: { headline: { 'pass@1': 0.25 }, details: {} } });
  assert.match(single, /evaluation  pass@1 0\.250/);
  const replay = formatTerminalSummary({ run: results.run, dataset: { splitCounts: {} }, execution: { samples: 20, problems: 2, passAt1: 0.25, compileRate: 0.9, meanTestPassRate: 0.4, taxonomy: { SUCCESS: 5, WRONG_OUTPUT: 13, SYNTAX_ERROR: 2 } } });
  assert.match(replay, /executed\s+20 samples on 2 problems: pass@1 0\.250, compile rate 0\.900/);
  assert.match(replay, /SUCCESS 25%, WRONG_OUTPUT 65%, SYNTAX_ERROR 10%/);
});

test.run();
