// The dashboard in a real browser (Debian's chromium through playwright-core) against a real server:
// log in with the token, watch a run appear and progress live, open it and one of its problems, compare two
// runs, and submit a bad manifest to see the kernel's error at its JSON path.
// CRUCIBLE_SCREENSHOTS=<dir> also saves a screenshot of each page there (docs/screenshots/ holds the committed ones).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { StartedServer } from '../../core/server/start.js';
import { api, serve, TOKEN } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SHOTS = process.env.CRUCIBLE_SCREENSHOTS;

let server: StartedServer;
let browser: Browser;
let page: Page;
const ids: string[] = [];

const toy = (name: string, delayMs: number) => ({ extends: 'toy.json', name, output: { report: true }, stages: { generator: { config: { delayMs } } } });

async function shot(name: string): Promise<void> {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
}

test.before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`);
  server = await serve({ maxConcurrent: 2 });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
});

test.after(async () => {
  await browser?.close();
  await server?.close();
});

test('the dashboard asks for the token, refuses a wrong one, and keeps the right one out of the URL', async () => {
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`${server.url}/`);
  await page.waitForSelector('form#login');
  await shot('login');
  await page.fill('input[name=token]', 'wrong-token');
  await page.click('form#login button');
  await page.waitForFunction(() => document.getElementById('login-error')?.textContent?.includes('not valid'));
  await page.fill('input[name=token]', TOKEN);
  await page.click('form#login button');
  await page.waitForSelector('table#runs');
  assert.ok(requests.every((u) => !u.includes(TOKEN)), 'the token never appears in a URL');
  const cookies = await page.context().cookies();
  const cookie = cookies.find((c) => c.name === 'crucible_token');
  assert.ok(cookie?.httpOnly && cookie.sameSite === 'Strict', JSON.stringify(cookies));
  assert.ok(!(await page.evaluate(() => document.cookie)).includes('crucible_token'), 'scripts cannot read it');
  // The cookie alone cannot change state (another site could send it): the API wants the dashboard's header.
  const forged = await page.evaluate(async () => (await fetch('/v1/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status);
  assert.is(forged, 401);
});

test('a submitted run appears in the list and its progress moves live', async () => {
  const submitted = await api(server.url, '/v1/runs', { method: 'POST', body: JSON.stringify(toy('toy-live', 120)) });
  assert.is(submitted.status, 202, JSON.stringify(submitted.body));
  ids.push(submitted.body.id);
  const row = `tr[data-run="${submitted.body.id}"]`;
  await page.waitForSelector(row, { timeout: 15000 });
  // Progress arrives over the event stream: the counter in the row changes while the run executes.
  const first = await page.waitForFunction((sel) => {
    const t = document.querySelector(`${sel} .progress`)?.textContent ?? '';
    return /\d+\/\d+/.test(t) ? t : false;
  }, row, { timeout: 20000 });
  const seen = await first.jsonValue();
  await page.waitForFunction(([sel, before]) => {
    const t = document.querySelector(`${sel} .progress`)?.textContent ?? '';
    return t !== '' && t !== before;
  }, [row, seen] as const, { timeout: 20000 });
  await shot('runs');
  await page.waitForSelector(`${row} [data-state="SUCCEEDED"]`, { timeout: 60000 });
});

test('the run page shows stages, the report with its charts, and a problem with samples, tests and pairs', async () => {
  const id = ids[0];
  await page.click(`tr[data-run="${id}"] a`);
  await page.waitForSelector('#stages tr[data-stage="evaluate"]');
  const report = page.frameLocator('#report iframe');
  await report.locator('figure[data-chart="metrics-ci"], #headline').first().waitFor({ timeout: 15000 });
  assert.ok(await report.locator('#pairing').count() === 1, 'the report\'s sections are shown');
  await page.waitForSelector('#problems table a');
  await shot('run');
  await page.click('#problems table a');
  await page.waitForSelector('#samples tr[data-sample]');
  const samples = await page.locator('#samples tr[data-sample]').count();
  assert.ok(samples > 0);
  assert.ok((await page.locator('#samples .test').count()) > 0, 'per-test outcomes');
  assert.ok((await page.locator('#samples pre').first().innerText()).length > 0, 'the code');
  await shot('problem');
});

test('two runs compare in the browser', async () => {
  const second = await api(server.url, '/v1/runs', { method: 'POST', body: JSON.stringify({ ...toy('toy-other', 0), stages: { generator: { config: { delayMs: 0, n: 6 } } } }) });
  assert.is(second.status, 202, JSON.stringify(second.body));
  ids.push(second.body.id);
  await page.goto(`${server.url}/ui/#/runs`);
  await page.waitForSelector(`tr[data-run="${second.body.id}"] [data-state="SUCCEEDED"]`, { timeout: 60000 });
  for (const id of ids) await page.check(`tr[data-run="${id}"] input[type=checkbox]`);
  await page.click('button#compare');
  const frame = page.frameLocator('iframe#comparison');
  await frame.locator('section#manifest-diff table').waitFor({ timeout: 15000 });
  const diff = await frame.locator('section#manifest-diff').innerText();
  assert.match(diff, 'stages.generator.config.n');
  assert.ok((await frame.locator('section#pairing table').count()) === 1, 'pairing compared');
  assert.ok((await frame.locator('figure[data-chart="compare-scores"]').count()) === 1, 'score distributions charted');
  await shot('compare');
});

test('cancel and resume from the run page', async () => {
  const slow = await api(server.url, '/v1/runs', { method: 'POST', body: JSON.stringify(toy('toy-cancel', 300)) });
  assert.is(slow.status, 202, JSON.stringify(slow.body));
  await page.goto(`${server.url}/ui/#/run/${slow.body.id}`);
  await page.waitForSelector('button#cancel:not([disabled])', { timeout: 20000 });
  await page.click('button#cancel');
  await page.waitForSelector('#run-state [data-state="CANCELLED"]', { timeout: 30000 });
  await page.waitForSelector('button#resume:not([disabled])', { timeout: 10000 });
  await page.click('button#resume');
  await page.waitForSelector('#run-state [data-state="SUCCEEDED"]', { timeout: 60000 });
  assert.is((await api(server.url, `/v1/runs/${slow.body.id}`)).body.state, 'SUCCEEDED');
});

test('a bad manifest is refused with the kernel\'s error at its JSON path', async () => {
  await page.goto(`${server.url}/ui/#/submit`);
  await page.waitForSelector('textarea#manifest');
  await page.fill('textarea#manifest', JSON.stringify({ extends: 'toy.json', name: 'bad', stages: { pairing: { plugin: 'all-pairs', config: { minGap: -1 } } } }, null, 2));
  await page.click('button#validate');
  const item = page.locator('#result li[data-path="stages.pairing.config.minGap"]');
  await page.waitForFunction(() => (document.getElementById('result')?.textContent ?? '') !== '', undefined, { timeout: 15000 });
  assert.is(await item.count(), 1, await page.locator('#result').innerText());
  assert.match(await item.innerText(), /must be >= 0/);
  await shot('submit');
  await page.fill('textarea#manifest', JSON.stringify(toy('toy-from-ui', 0)));
  await page.click('button#submit');
  await page.waitForSelector('#run-state', { timeout: 15000 });
  assert.match(page.url(), /#\/run\//);
});

test.run();
