// The report's sections as HTML fragments (the evaluation's are in evaluation.ts). Every section renders from whatever results.json holds
// and says plainly when a part of the run did not happen.
import { barChart, lineChart } from './charts/index.js';
import { esc } from './escape.js';
import { fmtNum } from './format.js';
import { STATUSES, table } from './table.js';
import type { RunResults } from '../pipeline/run-results.js';

const count = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));

export function executionSection(r: RunResults): string {
  const ex = r.execution;
  if (!ex) return '';
  const chart = barChart({
    id: 'executed-taxonomy', title: 'Executed samples by status', categories: STATUSES,
    series: [{ name: 'samples', values: STATUSES.map((s) => ex.taxonomy[s] ?? 0) }], format: count, width: 620,
  });
  const rows = STATUSES.map((s) => [esc(s), String(ex.taxonomy[s] ?? 0), `${(((ex.taxonomy[s] ?? 0) / ex.samples) * 100).toFixed(1)}%`]);
  return `<section id="execution"><h2>Executed samples</h2><p class="muted">${ex.samples} samples on ${ex.problems} problems: pass@1 ${fmtNum(ex.passAt1)} (mean over problems of the share passing every test), compile rate ${fmtNum(ex.compileRate)}, mean test pass rate ${fmtNum(ex.meanTestPassRate)}.</p><div class="charts">${chart}</div>${table(['status', 'samples', 'share'], rows)}</section>`;
}

export function pairingSection(r: RunResults): string {
  const s = r.pairing?.stats;
  if (!s) return `<section id="pairing"><h2>Pairing</h2><p class="muted">No pairing stage ran in this run.</p></section>`;
  const charts: string[] = [];
  const hist = s.scoreGap.histogram;
  if (hist.counts.some((c) => c > 0)) {
    charts.push(barChart({
      id: 'score-gap', title: 'Score gap (chosen − rejected)', categories: hist.counts.map((_, i) => `${hist.edges[i]}–${hist.edges[i + 1]}`),
      series: [{ name: 'pairs', values: hist.counts }], format: count,
    }));
  }
  const mix = s.statusMix;
  const cats = [...new Set([...STATUSES, ...Object.keys(mix.chosen), ...Object.keys(mix.rejected)])].filter((c) => mix.chosen[c] || mix.rejected[c]);
  if (cats.length) {
    charts.push(barChart({
      id: 'status-mix', title: 'Status mix: chosen vs rejected', categories: cats,
      series: [{ name: 'chosen', values: cats.map((c) => mix.chosen[c] ?? 0) }, { name: 'rejected', values: cats.map((c) => mix.rejected[c] ?? 0) }],
      format: count,
    }));
  }
  const spread = (v: { min: number; median: number; mean: number; max: number }) => `${fmtNum(v.min)} / ${fmtNum(v.median)} / ${fmtNum(v.mean)} / ${fmtNum(v.max)}`;
  const rows: string[][] = [
    ['plugin', esc(s.plugin)],
    ['pairs', String(s.pairs)],
    ['problems with pairs', String(s.problems)],
    ['pairs per problem (min / median / mean / max)', spread(s.pairsPerProblem)],
    ['distinct chosen per problem (mean)', fmtNum(s.distinctChosenPerProblem.mean)],
    ['score gap (mean / median)', `${fmtNum(s.scoreGap.mean)} / ${fmtNum(s.scoreGap.median)}`],
  ];
  const gates = s.gates;
  const gateTable = `<h3>Quality gates</h3>${table(['', 'pairs'], [
    ['before gates', String(gates.input)], ['kept', String(gates.kept)], ['dropped share', `${(gates.dropShare * 100).toFixed(1)}%`],
    ...Object.entries(gates.dropped).map(([k, v]) => [`dropped: ${esc(k)}`, String(v)]),
  ])}`;
  const own = flatEntries(s.pluginStats ?? {});
  const ownTable = own.length ? `<h3>Reported by ${esc(s.plugin)}</h3>${table(['statistic', 'value'], own.map(([k, v]) => [esc(k), esc(fmtNum(v))]))}` : '';
  return `<section id="pairing"><h2>Pairing</h2><div class="charts">${charts.join('')}</div>${table(['statistic', 'value'], rows)}${gateTable}${ownTable}</section>`;
}

/** A plugin's own numbers, one row per scalar ("candidates.belowMinGap"), never interpreted. */
function flatEntries(value: Record<string, unknown>, prefix = ''): Array<[string, unknown]> {
  return Object.entries(value).flatMap(([k, v]): Array<[string, unknown]> =>
    v && typeof v === 'object' && !Array.isArray(v) ? flatEntries(v as Record<string, unknown>, `${prefix}${k}.`) : [[`${prefix}${k}`, Array.isArray(v) ? JSON.stringify(v) : v]]);
}

export function trainingSection(r: RunResults): string {
  if (!r.training) return `<section id="training"><h2>Training</h2><p class="muted">No trainer ran in this run.</p></section>`;
  const curves = Object.entries(r.training.curves ?? {}).filter(([, pts]) => Array.isArray(pts) && pts.length > 0);
  // One small chart per metric family ("train/loss" and "val/loss" share the "loss" chart).
  const groups = new Map<string, Array<{ name: string; points: Array<[number, number]> }>>();
  for (const [name, points] of curves) {
    const family = name.includes('/') ? name.slice(name.indexOf('/') + 1) : name;
    groups.set(family, [...(groups.get(family) ?? []), { name, points }]);
  }
  const charts = [...groups.entries()].map(([family, series]) => lineChart({ id: `curve-${family}`, title: series.length === 1 ? series[0].name : family, series }));
  const stats = Object.entries(r.training.stats ?? {}).filter(([, v]) => typeof v !== 'object' || v === null);
  return `<section id="training"><h2>Training</h2><div class="charts">${charts.join('') || '<p class="muted">The trainer reported no curves.</p>'}</div>${
    stats.length ? table(['statistic', 'value'], stats.map(([k, v]) => [esc(k), esc(fmtNum(v))])) : ''
  }</section>`;
}

export function metadataSection(r: RunResults): string {
  const run = r.run;
  const facts = [
    ['run id', run.id], ['name', run.name], ['seed', String(run.seed)], ['started', run.startedAt], ['finished', run.finishedAt], ...(run.node ? [['node', run.node]] : []),
  ].map(([k, v]) => [esc(k), esc(v)]);
  const plugins = Object.entries(run.plugins ?? {}).map(([k, v]) => [esc(k), esc(v)]);
  const records = Object.entries(run.records ?? {}).map(([k, v]) => [esc(k), `<code>${esc(typeof v === 'string' ? v : JSON.stringify(v))}</code>`]);
  const hashes = { ...(r.dataset.hash ? { dataset: r.dataset.hash } : {}), ...(r.dataset.hashes ?? {}) };
  const data = [
    ...(r.dataset.count !== undefined ? [['problems', String(r.dataset.count)]] : []),
    ...Object.entries(r.dataset.splitCounts ?? {}).map(([k, v]) => [`${k} split`, String(v)]),
    ...Object.entries(hashes).map(([k, v]) => [`hash: ${k}`, `<code>${esc(v)}</code>`]),
  ].map(([k, v]) => [esc(k), v]);
  return `<section id="metadata"><h2>Run metadata</h2><div class="meta">
<div>${table(['run', ''], facts)}</div>
<div>${table(['plugin', 'version'], plugins)}</div>
<div>${table(['dataset', ''], data)}</div></div>
<h3>Recorded facts (backend, prompt format, judge, ...)</h3>${records.length ? table(['key', 'value'], records, 'records') : '<p class="muted">none</p>'}
<h3>Resolved manifest</h3><pre>${esc(JSON.stringify(run.manifest, null, 2))}</pre></section>`;
}
