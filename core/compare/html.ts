// The comparison report (`crucible compare --html`, the dashboard's compare page): the tables plus charts of
// the execution taxonomy and the score distributions, self-contained like report.html.
import { barChart } from '../report/charts/index.js';
import { esc } from '../report/escape.js';
import { REPORT_CSS } from '../report/html.js';
import type { RunsComparison } from './compare.js';
import { STATUSES } from './facts.js';
import { comparisonTables, letter } from './tables.js';

export function comparisonCharts(c: RunsComparison): string[] {
  const charts: string[] = [];
  const executed = c.runs.filter((r) => r.execution);
  if (executed.length) {
    charts.push(barChart({
      id: 'compare-taxonomy', title: 'Executed samples by status (share)', categories: [...STATUSES],
      series: c.runs.map((r, i) => ({ name: `${letter(i)} ${r.name}`, values: STATUSES.map((s) => (r.execution ? (r.execution.taxonomy[s] ?? 0) / r.execution.samples : NaN)) })),
      yMax: 1, format: (v) => `${(v * 100).toFixed(0)}%`, width: 620,
    }));
  }
  if (c.runs.some((r) => r.scores)) {
    const edges = Array.from({ length: 10 }, (_, i) => `${(i / 10).toFixed(1)}–${((i + 1) / 10).toFixed(1)}`);
    charts.push(barChart({
      id: 'compare-scores', title: 'Score distribution (share of scored samples)', categories: edges,
      series: c.runs.map((r, i) => ({ name: `${letter(i)} ${r.name}`, values: r.scores ? r.scores.histogram.map((h) => h / r.scores!.count) : edges.map(() => NaN) })),
      yMax: 1, format: (v) => `${(v * 100).toFixed(0)}%`, width: 620,
    }));
  }
  return charts;
}

/** The comparison's sections (also embedded by the dashboard). */
export function comparisonBody(c: RunsComparison): string {
  const sections = comparisonTables(c).map((t) => {
    const table = t.rows.length
      ? `<table data-table="${esc(t.id)}"><thead><tr>${t.head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${t.rows.map((r) => `<tr>${r.map((cell) => `<td>${esc(cell)}</td>`).join('')}</tr>`).join('')}</tbody></table>`
      : '';
    return `<section id="${esc(t.id)}"><h2>${esc(t.title)}</h2>${table}${t.note ? `<p class="muted">${esc(t.note)}</p>` : ''}</section>`;
  });
  const charts = comparisonCharts(c);
  return [sections[0], sections[1], charts.length ? `<section id="charts"><h2>Distributions</h2><div class="charts">${charts.join('')}</div></section>` : '', ...sections.slice(2)].join('\n');
}

export function renderComparisonHtml(c: RunsComparison): string {
  const title = `crucible · compare ${c.runs.map((r) => r.name).join(' vs ')}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${REPORT_CSS}</style></head>
<body><main>
<header><h1>Comparison of ${c.runs.length} runs</h1><div class="muted">${c.runs.map((r, i) => `${letter(i)} = ${esc(r.id)}`).join(' · ')}; paired tests and flips compare each run with A.</div></header>
${comparisonBody(c)}
</main></body></html>
`;
}
