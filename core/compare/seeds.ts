// Runs whose resolved manifests differ only in seeds are one experiment repeated: for every numeric headline
// metric of their evaluations, the per-seed values, the mean, the sample standard deviation and the range
// (the seed-to-seed spread any claimed change has to beat).
import { fmtNum } from '../report/format.js';
import type { RunsComparison } from './compare.js';
import { letter, type Table } from './tables.js';

const isSeedPath = (path: string) => path === 'seed' || path.endsWith('.seed');

export function meanAndSd(xs: number[]): { mean: number; sd: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  // Identical values have no spread (not a rounding residue of the mean).
  const sd = xs.length > 1 && xs.some((x) => x !== xs[0]) ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean, sd };
}

export function seedSpreadTable(c: RunsComparison): Table | undefined {
  const runs = c.runs;
  if (runs.length < 2 || c.manifestDiff.length === 0 || !c.manifestDiff.every((d) => isSeedPath(d.path))) return undefined;
  if (runs.some((r) => !r.evaluation)) return undefined;
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.evaluation!.headline)))];
  const rows: string[][] = [];
  for (const k of keys) {
    const values = runs.map((r) => r.evaluation!.headline[k]);
    if (!values.every((v): v is number => typeof v === 'number' && Number.isFinite(v))) continue;
    const { mean, sd } = meanAndSd(values);
    rows.push([k, ...values.map((v) => fmtNum(v)), fmtNum(mean), fmtNum(sd), `${fmtNum(Math.min(...values))} – ${fmtNum(Math.max(...values))}`]);
  }
  if (rows.length === 0) return undefined;
  const seeds = runs.map((r) => (r.manifest as { seed?: unknown } | undefined)?.seed);
  return {
    id: 'seeds',
    title: `Across ${runs.length} seeds (${seeds.map((s, i) => `${letter(i)}: ${String(s)}`).join(', ')}): the same experiment repeated`,
    head: ['metric', ...runs.map((_, i) => letter(i)), 'mean', 'sd', 'range'],
    rows,
    note: 'sd is the sample standard deviation across the seeds; a p-value is per seed (its mean is not a test).',
  };
}
