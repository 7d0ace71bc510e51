// The report's evaluation sections, built from the evaluator's typed summary (EvaluationSummary in the plugin
// contract) or, without one, its flat headline: never from an evaluator's own details.
import type { ComparisonSummary, EvaluationSummary, ModelSummary, ReportSection } from '../kernel/contract/summaries.js';
import type { RunResults } from '../pipeline/run-results.js';
import { barChart } from './charts/index.js';
import { esc } from './escape.js';
import { fmtNum, fmtP, fmtPct, fmtSigned } from './format.js';
import { STATUSES, table } from './table.js';

const headlineComparison = (s: EvaluationSummary | undefined): ComparisonSummary | undefined => s?.comparisons?.[0];
const shares = (m: ModelSummary): Record<string, number> => {
  const total = Object.values(m.statuses ?? {}).reduce((a, b) => a + b, 0);
  return Object.fromEntries(Object.entries(m.statuses ?? {}).map(([k, v]) => [k, total ? v / total : 0]));
};

export function headlineSection(r: RunResults): string {
  const ev = r.evaluation;
  if (!ev) {
    const ex = r.execution;
    if (!ex) return `<section id="headline"><h2>Headline</h2><p class="muted">Nothing was executed or evaluated in this run.</p></section>`;
    const rows = [['pass@1 of the executed samples', fmtNum(ex.passAt1)], ['compile rate', fmtNum(ex.compileRate)], ['mean test pass rate', fmtNum(ex.meanTestPassRate)], ['samples', String(ex.samples)], ['problems', String(ex.problems)]];
    return `<section id="headline"><h2>Headline</h2>${table(['metric', 'value'], rows, 'headline')}<p class="muted">No evaluator ran: these are the samples the execute stage ran (train/val splits).</p></section>`;
  }
  const cmp = headlineComparison(ev.summary);
  if (cmp) {
    const rows = Object.entries(cmp.metrics).map(([key, c]) => {
      const t = c.test;
      const cls = t && t.ttest.p < 0.05 ? (c.absolute > 0 ? 'up' : 'down') : '';
      return [esc(key), fmtNum(c.a), fmtNum(c.b), `<span class="${cls}">${fmtSigned(c.absolute)}</span>`, fmtPct(c.relative), t ? fmtP(t.ttest.p) : '', t ? fmtNum(t.ttest.mde80) : '', t?.wilcoxon ? fmtP(t.wilcoxon.p) : ''];
    });
    return `<section id="headline"><h2>Headline</h2>${table(['metric', cmp.a, cmp.b, 'change', 'relative', 't-test p', 'MDE (80% power)', 'Wilcoxon p'], rows, 'headline')}
<p class="muted">Paired over ${cmp.problems} test problems; p-values are two-sided, per-problem paired tests. MDE: the smallest true change this test detects with 80% power at alpha 0.05, from n and the observed spread of per-problem differences.</p></section>`;
  }
  const rows = Object.entries(ev.headline ?? {}).map(([k, v]) => [esc(k), fmtNum(v)]);
  return `<section id="headline"><h2>Headline</h2>${table(['metric', 'value'], rows, 'headline')}</section>`;
}

export function evaluationSection(r: RunResults): string {
  const summary = r.evaluation?.summary;
  const models = summary?.models ?? [];
  if (models.length === 0) return '';
  const withCi = Object.keys(models[0].metrics).filter((k) => models[0].metrics[k].ci95);
  const charts: string[] = [];
  if (withCi.length) {
    charts.push(barChart({
      id: 'metrics-ci', title: `${withCi.join(', ')} with 95% confidence intervals`, categories: withCi,
      series: models.map((m) => ({ name: m.label, values: withCi.map((k) => m.metrics[k]?.value), errors: withCi.map((k) => m.metrics[k]?.ci95) })), yMax: 1,
    }));
  }
  const counted = models.filter((m) => m.statuses);
  if (counted.length) {
    charts.push(barChart({
      id: 'error-taxonomy', title: 'Error taxonomy (share of samples)', categories: STATUSES,
      series: counted.map((m) => ({ name: m.label, values: STATUSES.map((s) => shares(m)[s] ?? 0) })), yMax: 1, format: (v) => `${(v * 100).toFixed(0)}%`, width: 720,
    }));
  }
  const metricKeys = [...new Set(models.flatMap((m) => Object.keys(m.metrics)))];
  const timingKeys = [...new Set(models.flatMap((m) => Object.keys(m.timingMs ?? {})))];
  const perModel = table(
    ['model', ...metricKeys.map((k) => (models.some((m) => m.metrics[k]?.ci95) ? `${k} (95% CI)` : k)), ...timingKeys.map((k) => `${k} ms/problem (mean / median)`)],
    models.map((m) => [
      esc(m.label + (m.model ? ` (${m.model})` : '')),
      ...metricKeys.map((k) => { const v = m.metrics[k]; return !v ? '' : v.ci95 ? `${fmtNum(v.value)} [${fmtNum(v.ci95[0])}, ${fmtNum(v.ci95[1])}]` : fmtNum(v.value); }),
      ...timingKeys.map((k) => `${fmtNum(m.timingMs?.[k]?.mean, 1)} / ${fmtNum(m.timingMs?.[k]?.median, 1)}`),
    ]),
  );
  const cmp = headlineComparison(summary);
  const taxTable = counted.length
    ? `<h3>Error taxonomy</h3>${table(
        ['status', ...counted.map((m) => `${m.label} count (share)`), ...(cmp?.statusShares ? [`change ${cmp.b} − ${cmp.a} (share)`, 'relative'] : [])],
        STATUSES.map((s) => [
          esc(s),
          ...counted.map((m) => `${m.statuses?.[s] ?? 0} (${((shares(m)[s] ?? 0) * 100).toFixed(1)}%)`),
          ...(cmp?.statusShares ? [fmtSigned(cmp.statusShares[s]?.absolute), fmtPct(cmp.statusShares[s]?.relative)] : []),
        ]),
      )}`
    : '';
  const tested = (summary?.comparisons ?? []).flatMap((c) => Object.entries(c.metrics).filter(([, m]) => m.test).map(([k, m]) => [c, k, m.test!] as const));
  const tests = tested.length
    ? `<h3>Significance (per problem, paired)</h3>${table(
        ['comparison', 'metric', 'mean difference', '95% CI', 't', 'df', 'p (t-test)', 'MDE (80% power)', 'Wilcoxon W', 'p (Wilcoxon)', 'Wilcoxon method', 'notes'],
        tested.map(([c, k, t]) => [
          esc(`${c.b} − ${c.a}`), esc(k), fmtSigned(t.ttest.meanDifference), `[${fmtNum(t.ttest.ci95[0])}, ${fmtNum(t.ttest.ci95[1])}]`, fmtNum(t.ttest.t), String(t.ttest.df), fmtP(t.ttest.p), fmtNum(t.ttest.mde80),
          fmtNum(t.wilcoxon?.statistic), fmtP(t.wilcoxon?.p), esc(t.wilcoxon ? `${t.wilcoxon.method}; ${t.wilcoxon.n} non-zero, ${t.wilcoxon.zeros} ties at 0` : ''), esc([t.ttest.note, t.wilcoxon?.note].filter(Boolean).join('; ')),
        ]),
      )}`
    : '';
  const sampling = summary?.sampling ? `<p class="muted">${esc(summary.sampling)}</p>` : '';
  return `<section id="evaluation"><h2>Evaluation</h2>${sampling}<div class="charts">${charts.join('')}</div>${perModel}${taxTable}${tests}</section>`;
}

/** Sections a plugin contributed (an evaluator's or a trainer's `sections`), shown as given, escaped. */
export function contributedSections(r: RunResults): string {
  const from: Array<[string, ReportSection[] | undefined]> = [['evaluator', r.evaluation?.sections], ['trainer', r.training?.sections]];
  return from.flatMap(([by, sections]) => (sections ?? []).map((s) =>
    `<section class="contributed" data-by="${by}"><h2>${esc(s.title)}</h2>${s.text ? `<p>${esc(s.text)}</p>` : ''}${s.table ? table(s.table.columns.map(String), s.table.rows.map((row) => row.map((c) => esc(typeof c === 'number' ? fmtNum(c) : c ?? '')))) : ''}</section>`)).join('\n');
}
