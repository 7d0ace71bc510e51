// The comparison as plain tables (header + rows of strings), shared by the terminal and the HTML page.
import { fmtNum, fmtP, fmtSigned } from '../report/format.js';
import type { RunsComparison } from './compare.js';
import { STATUSES, type RunFacts } from './facts.js';
import { seedSpreadTable } from './seeds.js';

export interface Table {
  id: string;
  title: string;
  head: string[];
  rows: string[][];
  note?: string;
}

export const letter = (i: number) => String.fromCharCode(65 + i);

const show = (v: unknown): string => (v === undefined ? '–' : typeof v === 'number' ? fmtNum(v) : typeof v === 'string' ? v : JSON.stringify(v));

/** One row per metric; with exactly two runs a "change (B − A)" column. */
function metricTable(id: string, title: string, runs: RunFacts[], metrics: Array<[string, (r: RunFacts) => unknown]>, note?: string): Table | undefined {
  const rows = metrics
    .map(([name, get]) => {
      const values = runs.map(get);
      if (values.every((v) => v === undefined)) return undefined;
      const row = [name, ...values.map(show)];
      if (runs.length === 2) row.push(typeof values[0] === 'number' && typeof values[1] === 'number' ? signed(values[1] - values[0]) : '');
      return row;
    })
    .filter((r): r is string[] => !!r);
  if (rows.length === 0) return undefined;
  return { id, title, head: ['', ...runs.map((_, i) => letter(i)), ...(runs.length === 2 ? ['change (B − A)'] : [])], rows, note };
}

const signed = (d: number) => (Number.isInteger(d) ? (d > 0 ? `+${d}` : String(d)) : fmtSigned(d));
const pct = (part: number | undefined, whole: number | undefined) => (part === undefined || !whole ? undefined : `${((part / whole) * 100).toFixed(1)}%`);

export function comparisonTables(c: RunsComparison): Table[] {
  const runs = c.runs;
  const tables: Array<Table | undefined> = [];
  tables.push({
    id: 'runs', title: 'Runs', head: ['', 'run', 'state', 'plugins'],
    rows: runs.map((r, i) => [letter(i), r.id, r.state + (r.error ? ` at ${r.error.stage ?? '?'}: ${r.error.code}` : ''), Object.entries(r.plugins).map(([k, v]) => `${k} ${v}`).join(', ')]),
  });
  tables.push(c.manifestDiff.length
    ? { id: 'manifest-diff', title: 'What differed (resolved manifests)', head: ['path', ...runs.map((_, i) => letter(i))], rows: c.manifestDiff.map((d) => [d.path, ...d.values.map(show)]) }
    : { id: 'manifest-diff', title: 'What differed (resolved manifests)', head: ['path'], rows: [], note: 'The resolved manifests are identical (apart from name and description).' });
  tables.push(metricTable('execution', 'Executed samples', runs, [
    ['samples', (r) => r.execution?.samples],
    ['problems', (r) => r.execution?.problems],
    ['pass@1', (r) => r.execution?.passAt1],
    ['compile rate', (r) => r.execution?.compileRate],
    ['mean test pass rate', (r) => r.execution?.meanTestPassRate],
    ...STATUSES.map((s): [string, (r: RunFacts) => unknown] => [s, (r) => pct(r.execution?.taxonomy[s], r.execution?.samples)]),
  ], 'pass@1 is the mean over problems of the share of samples passing every test.'));
  tables.push(metricTable('scores', 'Scores', runs, [
    ['scored samples', (r) => r.scores?.count],
    ['mean', (r) => r.scores?.mean],
    ['median', (r) => r.scores?.median],
    ['share at 1', (r) => r.scores && r.scores.histogram[9] / r.scores.count],
    ['share below 0.1', (r) => r.scores && r.scores.histogram[0] / r.scores.count],
  ]));
  const p = (r: RunFacts) => r.pairing as Record<string, any> | undefined;
  tables.push(metricTable('pairing', 'Pairing', runs, [
    ['plugin', (r) => p(r)?.plugin],
    ['pairs', (r) => p(r)?.pairs],
    ['problems with pairs', (r) => p(r)?.problems],
    ['pairs per problem (mean)', (r) => p(r)?.pairsPerProblem?.mean],
    ['distinct chosen per problem (mean)', (r) => p(r)?.distinctChosenPerProblem?.mean],
    ['score gap (mean)', (r) => p(r)?.scoreGap?.mean],
    ['score gap (median)', (r) => p(r)?.scoreGap?.median],
    ['dropped by gates', (r) => (p(r)?.gates ? p(r)!.gates.input - p(r)!.gates.kept : undefined)],
  ]));
  const trainKeys = [...new Set(runs.flatMap((r) => Object.keys(r.training ?? {})))];
  tables.push(metricTable('training', 'Training', runs, trainKeys.map((k): [string, (r: RunFacts) => unknown] => [k, (r) => r.training?.[k]])));
  const evalKeys = [...new Set(runs.flatMap((r) => Object.keys(r.evaluation?.headline ?? {})))];
  tables.push(metricTable('evaluation', 'Evaluation (each run\'s headline)', runs, evalKeys.map((k): [string, (r: RunFacts) => unknown] => [k, (r) => r.evaluation?.headline[k]])));
  tables.push(seedSpreadTable(c));
  for (const pair of c.pairwise) {
    const bi = runs.findIndex((r) => r.id === pair.b);
    const label = `${letter(bi)} vs A`;
    const cmp = pair.evaluation?.comparison;
    if (cmp) {
      tables.push({
        id: `paired-${letter(bi)}`, title: `Evaluation, ${label}: final models, paired over the same test problems`,
        head: ['metric', 'A', letter(bi), 'change', 'p (t-test)', 'p (Wilcoxon)'],
        rows: Object.entries(cmp.metrics).filter(([k]) => !k.endsWith('_ms_per_problem')).map(([k, m]) => {
          const t = m.test;
          return [k, fmtNum(m.a), fmtNum(m.b), fmtSigned(m.absolute), t ? fmtP(t.ttest.p) : '', t?.wilcoxon ? fmtP(t.wilcoxon.p) : ''];
        }),
      });
    } else if (pair.evaluationError) {
      tables.push({ id: `paired-${letter(bi)}`, title: `Evaluation, ${label}`, head: [''], rows: [], note: `Not compared: ${pair.evaluationError}` });
    }
    if (pair.flips) {
      const f = pair.flips;
      const list = (ids: string[]) => (ids.length > 12 ? `${ids.slice(0, 12).join(', ')}, … (${ids.length - 12} more)` : ids.join(', ') || '–');
      tables.push({
        id: `flips-${letter(bi)}`, title: `Per-problem flips, ${label} (${f.source === 'evaluation' ? 'final model on the test split' : 'executed samples'}; ${f.common} problems in both)`,
        head: ['', 'problems', 'which'],
        rows: [['fail → pass', String(f.failToPass.length), list(f.failToPass)], ['pass → fail', String(f.passToFail.length), list(f.passToFail)]],
        note: 'A problem passes when at least half of its samples pass every test.',
      });
    }
  }
  return tables.filter((t): t is Table => !!t);
}

/** Fixed-width text, one block per table. */
export function formatComparison(c: RunsComparison): string {
  const out: string[] = [];
  for (const t of comparisonTables(c)) {
    out.push(t.title);
    if (t.rows.length) {
      const all = [t.head, ...t.rows];
      const widths = t.head.map((_, i) => Math.min(60, Math.max(...all.map((r) => (r[i] ?? '').length))));
      const line = (r: string[]) => '  ' + r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd();
      out.push(line(t.head), ...t.rows.map(line));
    }
    if (t.note) out.push(`  ${t.note}`);
    out.push('');
  }
  return out.join('\n') + '\n';
}
