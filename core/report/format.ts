// Number formatting and the evaluation details a report can read (plain JSON from any evaluator).

export function fmtNum(v: unknown, digits = 3): string {
  if (v === null || v === undefined) return '–';
  if (typeof v !== 'number') return String(v);
  if (Number.isNaN(v)) return 'n/a';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(2) : v.toFixed(digits);
}

export function fmtSigned(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return fmtNum(v, digits);
  return (v > 0 ? '+' : '') + v.toFixed(digits);
}

export function fmtPct(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  return `${v > 0 ? '+' : ''}${(v * 100).toFixed(1)}%`;
}

export function fmtP(p: number | undefined): string {
  if (p === undefined || p === null || !Number.isFinite(p)) return 'n/a';
  return p < 1e-4 ? '<1e-4' : p.toFixed(4);
}

/** A model's evaluation as the pass-at-k evaluator saves it (checked loosely: reports read JSON). */
export interface EvalView {
  label: string;
  passAtK: Record<string, { value: number; ci95: [number, number] }>;
  taxonomy: { total: number; counts: Record<string, number>; shares: Record<string, number> };
  compileRate: number;
  meanTestPassRate: number;
  timing?: { generationMs?: { mean: number; median: number }; executionMs?: { mean: number; median: number } };
  model?: { model?: string; promptFormat?: string };
  sampling?: { n: number; seed: number; temperature: number; topP: number };
  problemIds?: string[];
}

export interface ChangeView {
  a: number;
  b: number;
  absolute: number;
  relative: number | null;
}

export interface ComparisonView {
  metrics: Record<string, ChangeView>;
  taxonomy: Record<string, ChangeView & { countA: number; countB: number }>;
  tests: Record<string, {
    ttest: { t: number; df: number; p: number; meanDifference: number; ci95: [number, number]; n: number; mde80?: number; note?: string };
    wilcoxon: { statistic: number; p: number; method: string; n: number; zeros: number; note?: string };
  }>;
}

export function asEval(value: unknown): EvalView | undefined {
  const v = value as EvalView | undefined;
  return v && typeof v === 'object' && v.passAtK && v.taxonomy ? v : undefined;
}

export function asComparison(value: unknown): ComparisonView | undefined {
  const v = value as ComparisonView | undefined;
  return v && typeof v === 'object' && v.metrics && v.tests ? v : undefined;
}
