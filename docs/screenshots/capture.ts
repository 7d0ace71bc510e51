// Re-takes the dashboard screenshots in this folder on real runs: the Mistral samples replayed with all-pairs
// and with best-of-n, then a small quickstart sweep. Run from the checkout (needs /usr/bin/chromium):
//   node --import tsx docs/screenshots/capture.ts
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../../core/server/start.js';

const root = join(import.meta.dirname, '..', '..');
const out = import.meta.dirname;
const token = 'screenshot-token-0123456789';
const server = await startServer({ port: 0, runsDir: mkdtempSync(join(tmpdir(), 'crucible-shots-')), manifestsDir: join(root, 'manifests'), dataDirs: [join(root, 'data')], token, logLevel: 'silent', maxConcurrent: 1 });
const post = async (body: unknown) => {
  const res = await fetch(`${server.url}/v1/runs`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json()) as { id: string };
  if (res.status !== 202) throw new Error(JSON.stringify(json));
  return json.id;
};
const state = async (id: string) => ((await (await fetch(`${server.url}/v1/runs/${id}`, { headers: { authorization: `Bearer ${token}` } })).json()) as { state: string }).state;
const settle = async (id: string) => {
  while (!['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(await state(id))) await new Promise((r) => setTimeout(r, 500));
};

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  await page.goto(`${server.url}/`);
  await page.waitForSelector('form#login');
  await page.screenshot({ path: join(out, 'login.png') });
  await page.fill('input[name=token]', token);
  await page.click('form#login button');
  await page.waitForSelector('table#runs');
  const allPairs = await post({ extends: './humaneval-replay-mistral.json', name: 'mistral-all-pairs', dataset: { plugin: 'humaneval', config: { path: '../data/HumanEval.jsonl.gz' }, limit: 60 } });
  const bestOfN = await post({ extends: './humaneval-replay-mistral.json', name: 'mistral-best-of-n', dataset: { plugin: 'humaneval', config: { path: '../data/HumanEval.jsonl.gz' }, limit: 60 }, stages: { pairing: { plugin: 'best-of-n', config: { minGap: 0.1 } } } });
  await settle(allPairs);
  await settle(bestOfN);
  const quick = { extends: './quickstart.json', dataset: { plugin: 'builtin', limit: 60 }, stages: { generator: { config: { n: 4 } }, evaluator: { config: { n: 4, k: [1, 4] } } } };
  const q1 = await post({ ...quick, name: 'quickstart-lr1e-4' });
  await settle(q1);
  const q2 = await post({ ...quick, name: 'quickstart-lr3e-4', stages: { ...quick.stages, trainer: { config: { lr: 0.0003 } } } });
  await page.waitForSelector(`tr[data-run="${q2}"] .progress`, { timeout: 120000 });
  await page.screenshot({ path: join(out, 'runs.png') });
  await settle(q2);
  await page.goto(`${server.url}/ui/#/run/${q1}`);
  await page.waitForSelector('#problems table a');
  await page.frameLocator('#report iframe').locator('#headline').waitFor();
  await page.evaluate(() => document.getElementById('report')!.scrollIntoView());
  await page.screenshot({ path: join(out, 'run.png') });
  const problems = ((await (await fetch(`${server.url}/v1/runs/${allPairs}/problems`, { headers: { authorization: `Bearer ${token}` } })).json()) as { problems: Array<{ id: string; pairs: number; samples: number; passed: number }> }).problems;
  const shown = problems.filter((p) => p.pairs > 0 && p.passed < p.samples).sort((a, b) => a.pairs - b.pairs)[0];
  await page.goto(`${server.url}/ui/#/run/${allPairs}/problem/${encodeURIComponent(shown.id)}`);
  await page.waitForSelector('#samples tr[data-sample]');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(out, 'problem.png') });
  await page.goto(`${server.url}/ui/#/compare/${allPairs},${bestOfN}`);
  const pairing = page.frameLocator('iframe#comparison').locator('section#scores');
  await pairing.waitFor();
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.evaluate(() => document.querySelector('iframe#comparison')!.scrollIntoView());
  await pairing.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(out, 'compare.png') });
  await page.goto(`${server.url}/ui/#/compare/${q1},${q2}`);
  const paired = page.frameLocator('iframe#comparison').locator('section#paired-B');
  await paired.waitFor();
  await page.evaluate(() => document.querySelector('iframe#comparison')!.scrollIntoView());
  await paired.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(out, 'compare-sweep.png') });
  await page.goto(`${server.url}/ui/#/submit`);
  await page.fill('textarea#manifest', JSON.stringify({ extends: './humaneval-replay-mistral.json', name: 'typo', stages: { pairing: { plugin: 'best-of-m', config: { minGap: -1 } } } }, null, 2));
  await page.click('button#validate');
  await page.waitForSelector('#result li');
  await page.screenshot({ path: join(out, 'submit.png') });
} finally {
  await browser.close();
  await server.close();
}
