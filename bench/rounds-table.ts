// Summarises finished runs of manifests/main-rounds.json (one per seed): per policy, test pass@1 with its 95% CI,
// change vs base, paired t-test p and MDE; then mean and spread across the runs; and each run's per-round curve.
//   node --import tsx bench/rounds-table.ts <runDir>... [--json out.json]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface Row { label: string; pass1: number; ci: [number, number]; delta?: number; p?: number; mde?: number }

function rowsOf(dir: string): { seed: number; rows: Row[]; curve: Array<{ round: number; pass1: number }>; kept: number; pairs: number[]; test: number } {
  const r = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
  const d = r.evaluation.details;
  const row = (label: string, e: any, c?: any): Row => {
    const t = c?.tests?.['pass@1']?.ttest;
    return { label, pass1: e.passAtK['pass@1'].value, ci: e.passAtK['pass@1'].ci95, ...(t ? { delta: t.meanDifference, p: t.p, mde: t.mde80 } : {}) };
  };
  const rows = [row('base', d.base)];
  for (const o of d.others ?? []) rows.push(row(o.label === 'baseline' ? 'RFT (baseline)' : o.label.replace('round-', 'DPO round '), o.evaluation, o.comparison));
  rows.push(row(`DPO round ${r.rounds.kept} (kept)`, d.trained, d.comparison));
  rows.sort((a, b) => (a.label === 'base' ? -1 : b.label === 'base' ? 1 : a.label.localeCompare(b.label)));
  return { seed: r.run.seed, rows, curve: r.rounds.curve, kept: r.rounds.kept, pairs: r.rounds.rounds.map((x: any) => x.pairs.train), test: d.base.problemIds.length };
}

const args = process.argv.slice(2);
const jsonAt = args.indexOf('--json');
const out = jsonAt >= 0 ? args.splice(jsonAt, 2)[1] : undefined;
const runs = args.map(rowsOf);
const f = (v: number | undefined, d = 3) => (v === undefined || !Number.isFinite(v) ? '' : v.toFixed(d));
const p = (v: number | undefined) => (v === undefined ? '' : v < 1e-4 ? v.toExponential(1) : v.toFixed(4));
for (const run of runs) {
  console.log(`\nseed ${run.seed}: ${run.test} test problems; val pass@1 by round ${run.curve.map((c) => `${c.round}: ${f(c.pass1)}`).join(', ')}; kept round ${run.kept}; train pairs per round ${run.pairs.join(', ')}`);
  console.log('| policy | pass@1 (95% CI) | vs base | paired t-test p | MDE (80%) |\n|---|---|---|---|---|');
  for (const x of run.rows) console.log(`| ${x.label} | ${f(x.pass1)} (${f(x.ci[0])}–${f(x.ci[1])}) | ${x.delta === undefined ? '' : (x.delta >= 0 ? '+' : '') + f(x.delta)} | ${p(x.p)} | ${f(x.mde)} |`);
}
const labels = [...new Set(runs.flatMap((r) => r.rows.map((x) => x.label.replace(/ \(kept\)$/, ''))))];
console.log(`\nacross ${runs.length} seeds (mean ± sd of the per-seed values)\n| policy | pass@1 | vs base | p per seed |\n|---|---|---|---|`);
const ms = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1)) : 0;
  return `${f(m)} ± ${f(sd)}`;
};
const summary: Record<string, unknown> = {};
for (const label of labels) {
  const xs = runs.map((r) => r.rows.find((x) => x.label.replace(/ \(kept\)$/, '') === label)).filter((x): x is Row => !!x);
  const deltas = xs.filter((x) => x.delta !== undefined).map((x) => x.delta!);
  console.log(`| ${label} | ${ms(xs.map((x) => x.pass1))} | ${deltas.length ? ms(deltas) : ''} | ${xs.map((x) => p(x.p)).join(' / ')} |`);
  summary[label] = xs;
}
if (out) writeFileSync(out, JSON.stringify({ runs, summary }, null, 2) + '\n');
