// The crucible dashboard: a few hash-routed views over the /v1 API. The browser holds the token only in the
// HttpOnly cookie set by /ui/login; state changes also send x-crucible-ui (see core/server/auth.ts).
// Text from runs is model-generated: it is only ever set as textContent, never as HTML.

const view = document.getElementById('view');
let cleanup = [];
// Bumped on every navigation: a view whose data arrives after the user moved on must not draw over the new one.
let generation = 0;

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== undefined && c !== null && c !== false) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

const fmt = (v) => (v === null || v === undefined ? '–' : typeof v !== 'number' ? String(v) : Number.isInteger(v) ? String(v) : Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(2) : v.toFixed(3));
const stateBadge = (s) => h('span', { class: `state ${s}`, 'data-state': s }, s);

class HttpFailure extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

async function api(path, options = {}) {
  const headers = { 'x-crucible-ui': '1', ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}) };
  const res = await fetch(path, { method: options.method ?? 'GET', headers, credentials: 'same-origin', body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await res.text();
  const body = text ? JSON.parse(text) : null;
  if (res.status === 401 && !path.startsWith('/ui/')) {
    location.hash = '#/login';
    throw new HttpFailure(401, body);
  }
  if (!res.ok) throw new HttpFailure(res.status, body);
  return body;
}

function render(...nodes) {
  view.replaceChildren(...nodes);
}

function failure(error) {
  return h('p', { class: 'error' }, `${error.body?.error?.code ?? 'error'}: ${error.message}`);
}

// Live progress: one EventSource per followed run (the cookie authenticates it); closed when leaving the view.
function follow(id, onEvent) {
  const source = new EventSource(`/v1/runs/${encodeURIComponent(id)}/events`);
  for (const type of ['state', 'stage', 'progress', 'end']) source.addEventListener(type, (e) => onEvent(type, JSON.parse(e.data)));
  source.addEventListener('end', () => source.close());
  cleanup.push(() => source.close());
  return source;
}

function progressCell(stage) {
  if (!stage) return h('span', { class: 'muted' }, '');
  const pct = stage.total ? Math.round((100 * (stage.done ?? 0)) / stage.total) : 0;
  const fill = h('span');
  fill.style.width = `${pct}%`; // CSSOM, allowed by the page's CSP (inline style attributes are not)
  return h('span', { class: 'progress', 'data-stage': stage.name }, h('span', { class: 'bar' }, fill), `${stage.name} ${stage.done ?? 0}/${stage.total ?? '?'}`);
}

// ---- login ----
function loginView() {
  const input = h('input', { type: 'password', name: 'token', placeholder: 'token', autocomplete: 'current-password', required: true });
  const message = h('p', { class: 'error', id: 'login-error' });
  const form = h('form', { id: 'login', class: 'card', onsubmit: async (e) => {
    e.preventDefault();
    try {
      await api('/ui/login', { method: 'POST', body: { token: input.value } });
      location.hash = '#/runs';
    } catch (error) {
      message.textContent = error.status === 401 ? 'That token is not valid.' : error.message;
    }
  } }, h('h1', {}, 'Log in'), h('p', { class: 'muted' }, 'The server\'s token (CRUCIBLE_TOKEN, or the one it printed at start). It is kept in an HttpOnly cookie, never in a URL.'), h('div', { class: 'actions' }, input, h('button', { type: 'submit' }, 'Log in')), message);
  render(form);
  input.focus();
}

// ---- runs list ----
async function runsView() {
  const selected = new Set();
  const compare = h('button', { id: 'compare', disabled: true, onclick: () => (location.hash = `#/compare/${[...selected].join(',')}`) }, 'Compare selected');
  const tbody = h('tbody');
  const table = h('table', { id: 'runs' }, h('thead', {}, h('tr', {}, h('th', {}, ''), h('th', {}, 'run'), h('th', {}, 'state'), h('th', {}, 'progress'), h('th', {}, 'metrics'), h('th', {}, 'created'))), tbody);
  render(h('h1', {}, 'Runs'), h('div', { class: 'actions' }, compare, h('a', { class: 'button secondary', href: '#/submit' }, 'Submit a manifest')), h('section', {}, table));
  const followed = new Map();
  const rows = new Map();
  const draw = (runs) => {
    for (const run of runs) {
      let row = rows.get(run.id);
      if (!row) {
        const box = h('input', { type: 'checkbox', 'aria-label': `select ${run.id}`, onchange: (e) => {
          e.target.checked ? selected.add(run.id) : selected.delete(run.id);
          compare.disabled = selected.size < 2;
        } });
        row = { tr: h('tr', { 'data-run': run.id }), box, state: h('td'), progress: h('td'), metrics: h('td') };
        row.tr.append(h('td', {}, box), h('td', {}, h('a', { href: `#/run/${run.id}` }, run.name), h('div', { class: 'muted' }, run.id)), row.state, row.progress, row.metrics, h('td', { class: 'muted' }, run.createdAt.replace('T', ' ').slice(0, 19)));
        rows.set(run.id, row);
      }
      row.state.replaceChildren(stateBadge(run.state));
      const shown = Object.entries(run.headline ?? {}).filter(([k]) => !k.startsWith('base/') || !(run.headline[`trained/${k.slice(5)}`] !== undefined)).slice(0, 4);
      row.metrics.replaceChildren(...(run.state === 'FAILED' && run.error ? [h('span', { class: 'error' }, `${run.error.code}: ${run.error.message.slice(0, 120)}`)] : shown.map(([k, v]) => h('div', {}, `${k} ${fmt(v)}`))));
      if ((run.state === 'RUNNING' || run.state === 'QUEUED') && !followed.has(run.id)) {
        followed.set(run.id, follow(run.id, (type, e) => {
          if (type === 'progress' || (type === 'stage' && e.status === 'start')) row.progress.replaceChildren(progressCell({ name: e.stage, done: e.done ?? 0, total: e.total }));
          if (type === 'state' || type === 'end') row.state.replaceChildren(stateBadge(e.state));
          if (type === 'end') row.progress.replaceChildren();
        }));
      }
    }
    tbody.replaceChildren(...runs.map((r) => rows.get(r.id).tr));
  };
  const refresh = async () => draw((await api('/v1/runs?limit=100')).runs);
  await refresh();
  // New runs appear without a reload; running ones update over their event streams.
  const timer = setInterval(() => refresh().catch(() => {}), 2000);
  cleanup.push(() => clearInterval(timer));
}

// ---- one run ----
async function runView(id) {
  const gen = generation;
  const run = await api(`/v1/runs/${encodeURIComponent(id)}`);
  if (gen !== generation) return;
  const state = h('span', { id: 'run-state' }, stateBadge(run.state));
  const cancel = h('button', { id: 'cancel', class: 'secondary', onclick: async () => { await api(`/v1/runs/${id}/cancel`, { method: 'POST' }).catch(alertFailure); route(); } }, 'Cancel');
  const resume = h('button', { id: 'resume', onclick: async () => { await api(`/v1/runs/${id}/resume`, { method: 'POST' }).catch(alertFailure); route(); } }, 'Resume');
  const buttons = (s) => {
    cancel.disabled = !['QUEUED', 'RUNNING'].includes(s);
    resume.disabled = !['FAILED', 'CANCELLED'].includes(s);
  };
  buttons(run.state);
  const stages = h('tbody');
  const drawStages = (list) => stages.replaceChildren(...list.map((s) => h('tr', { 'data-stage': s.name }, h('td', {}, s.name), h('td', {}, s.status === 'done' ? (s.reused ? `done (from ${s.reused})` : 'done') : progressCell(s)), h('td', {}, s.durationMs != null ? `${(s.durationMs / 1000).toFixed(1)} s` : ''))));
  drawStages(run.stages);
  const parts = [h('h1', {}, run.name, ' ', state), h('div', { class: 'muted' }, run.id), h('div', { class: 'actions' }, cancel, resume, h('a', { class: 'button secondary', href: `/v1/runs/${id}/archive` }, 'Download artifacts'))];
  if (run.error) parts.push(h('p', { class: 'error', id: 'run-error' }, `${run.error.code}: ${run.error.message}`));
  parts.push(h('section', {}, h('h2', {}, 'Stages'), h('table', { id: 'stages' }, h('thead', {}, h('tr', {}, h('th', {}, 'stage'), h('th', {}, 'status'), h('th', {}, 'time'))), stages)));
  const problems = h('section', { id: 'problems' }, h('h2', {}, 'Problems'), h('p', { class: 'muted' }, 'loading…'));
  parts.push(problems);
  const report = h('section', { id: 'report' });
  parts.push(report);
  render(...parts);
  if (['RUNNING', 'QUEUED', 'CANCELLING'].includes(run.state)) {
    follow(id, async (type, e) => {
      if (type === 'state' || type === 'end') state.replaceChildren(stateBadge(e.state)), buttons(e.state);
      if (type === 'stage' || type === 'progress') drawStages((await api(`/v1/runs/${encodeURIComponent(id)}`)).stages);
      // Redrawn with the final state, unless the user has moved on (a redraw would reset the page they are on).
      if (type === 'end') setTimeout(() => gen === generation && route(), 300);
    });
  }
  const files = (await api(`/v1/runs/${id}/artifacts`)).files.map((f) => f.path);
  if (files.includes('report.html')) report.replaceChildren(h('h2', {}, 'Report'), h('iframe', { title: 'report', src: `/v1/runs/${id}/artifacts/report.html` }));
  const list = (await api(`/v1/runs/${id}/problems`)).problems;
  problems.replaceChildren(h('h2', {}, `Problems (${list.length})`), list.length === 0 ? h('p', { class: 'muted' }, 'none yet') : h('table', {}, h('thead', {}, h('tr', {}, ...['problem', 'split', 'samples passing', 'mean score', 'pairs'].map((t) => h('th', {}, t)))), h('tbody', {}, ...list.map((p) => h('tr', {}, h('td', {}, h('a', { href: `#/run/${id}/problem/${encodeURIComponent(p.id)}` }, p.id)), h('td', {}, p.split ?? ''), h('td', {}, p.samples ? `${p.passed}/${p.samples}` : '–'), h('td', {}, fmt(p.meanScore)), h('td', {}, String(p.pairs)))))));
}

function alertFailure(error) {
  view.prepend(failure(error));
}

// ---- one problem of a run ----
async function problemView(id, problemId) {
  const gen = generation;
  const d = await api(`/v1/runs/${encodeURIComponent(id)}/problem?problem=${encodeURIComponent(problemId)}`);
  if (gen !== generation) return;
  const byId = new Map(d.samples.map((s) => [s.id, s]));
  render(
    h('div', { class: 'muted' }, h('a', { href: `#/run/${id}` }, id)),
    h('h1', {}, d.problem.id, d.split ? ` (${d.split})` : ''),
    h('section', {}, h('h2', {}, 'Prompt'), h('pre', {}, d.problem.prompt), h('h2', {}, `Tests (${d.problem.tests.length})`), h('pre', {}, d.problem.tests.map((t) => `${t.id}: ${t.code}`).join('\n'))),
    h('section', { id: 'samples' }, h('h2', {}, `Samples (${d.samples.length})`), h('table', {}, h('thead', {}, h('tr', {}, ...['sample', 'verdict', 'tests', 'score', 'code'].map((t) => h('th', {}, t)))), h('tbody', {}, ...d.samples.map((s) => h('tr', { 'data-sample': s.id },
      h('td', {}, s.id), h('td', {}, s.status ? stateBadge(s.status) : '–', s.exceptionType ? h('div', { class: 'muted' }, s.exceptionType) : ''),
      h('td', {}, h('div', { class: 'tests' }, ...s.tests.map((t) => h('span', { class: `test ${t.outcome}`, title: `${t.id}: ${t.outcome}` }, t.id))), s.total != null ? h('div', { class: 'muted' }, `${s.passed}/${s.total} passed`) : ''),
      h('td', {}, fmt(s.score)), h('td', {}, h('pre', {}, s.code))))))),
    h('section', { id: 'pairs' }, h('h2', {}, `Pairs (${d.pairs.length})`), d.pairs.length === 0 ? h('p', { class: 'muted' }, 'no pairs for this problem') : h('div', {}, ...d.pairs.map((p) => h('div', { class: 'grid2 card' },
      h('div', {}, h('strong', {}, `chosen ${p.chosenId ?? ''} (score ${fmt(p.chosenScore)}${byId.get(p.chosenId)?.status ? `, ${byId.get(p.chosenId).status}` : ''})`), h('pre', {}, p.chosen)),
      h('div', {}, h('strong', {}, `rejected ${p.rejectedId ?? ''} (score ${fmt(p.rejectedScore)}${byId.get(p.rejectedId)?.status ? `, ${byId.get(p.rejectedId).status}` : ''})`), h('pre', {}, p.rejected)))))),
  );
}

// ---- compare ----
function compareView(ids) {
  const runs = ids.split(',').filter(Boolean);
  render(h('h1', {}, `Compare ${runs.length} runs`), h('p', { class: 'muted' }, 'Paired tests and per-problem flips compare each run with the first. ', h('a', { href: `/v1/comparisons?runs=${runs.join(',')}` }, 'as JSON')), h('iframe', { id: 'comparison', title: 'comparison', src: `/v1/comparisons/report?runs=${runs.join(',')}` }));
}

// ---- submit ----
// A ready manifest from the manifests folder, changed in place (its plugins come with it).
const EXAMPLE = {
  name: 'replay-mistral-first-20',
  extends: './humaneval-replay-mistral.json',
  dataset: { limit: 20 },
  stages: { pairing: { config: { minGap: 0.3 } } },
};

function submitView() {
  const text = h('textarea', { id: 'manifest', spellcheck: 'false', 'aria-label': 'manifest JSON' });
  text.value = JSON.stringify(EXAMPLE, null, 2);
  const out = h('div', { id: 'result' });
  const send = async (path) => {
    out.replaceChildren();
    let body;
    try {
      body = JSON.parse(text.value);
    } catch (error) {
      out.replaceChildren(h('p', { class: 'error' }, `not valid JSON: ${error.message}`));
      return;
    }
    try {
      const res = await api(path, { method: 'POST', body });
      if (path === '/v1/runs') location.hash = `#/run/${res.id}`;
      else out.replaceChildren(h('p', { class: 'ok', id: 'valid' }, 'The manifest is valid.'));
    } catch (error) {
      const e = error.body?.error;
      out.replaceChildren(h('p', { class: 'error' }, `${e?.code ?? 'error'}: ${e?.message ?? error.message}`), h('ul', { class: 'errors' }, ...(e?.details ?? []).map((d) => h('li', { 'data-path': d.path ?? '' }, d.path ? h('code', {}, d.path) : '', ' ', d.message, d.hint ? h('span', { class: 'muted' }, ` (${d.hint})`) : ''))));
    }
  };
  render(h('h1', {}, 'Submit a manifest'), h('p', { class: 'muted' }, 'Validated by the kernel as the CLI does; every error names its JSON path. `extends` names a file in the server\'s manifests folder.'), text, h('div', { class: 'actions' }, h('button', { id: 'validate', class: 'secondary', onclick: () => send('/v1/manifests/validate') }, 'Validate'), h('button', { id: 'submit', onclick: () => send('/v1/runs') }, 'Submit')), out);
}

// ---- router ----
async function route() {
  generation++;
  for (const fn of cleanup) fn();
  cleanup = [];
  const hash = location.hash.replace(/^#\/?/, '') || 'runs';
  const [page, ...rest] = hash.split('/');
  try {
    if (page === 'login') return loginView();
    if (page === 'run' && rest[1] === 'problem') return await problemView(rest[0], decodeURIComponent(rest.slice(2).join('/')));
    if (page === 'run') return await runView(rest[0]);
    if (page === 'compare') return compareView(rest.join('/'));
    if (page === 'submit') return submitView();
    return await runsView();
  } catch (error) {
    if (error.status !== 401) render(failure(error));
  }
}

document.getElementById('logout').addEventListener('click', async () => {
  await fetch('/ui/logout', { method: 'POST', credentials: 'same-origin' });
  location.hash = '#/login';
});
window.addEventListener('hashchange', route);
route();
