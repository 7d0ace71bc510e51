// Number formatting for the report, the terminal summary and `crucible compare`.

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
