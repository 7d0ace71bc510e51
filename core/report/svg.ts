// Inline SVG charts (no library, no CDN): grouped bars with optional error whiskers, and line charts.
export const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#9c755f'];

export function esc(value: unknown): string {
  return String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const num = (v: number) => (Number.isFinite(v) ? Number(v.toFixed(2)) : 0);

export interface BarSeries {
  name: string;
  values: number[];
  /** Confidence intervals drawn as whiskers, [low, high] per category. */
  errors?: Array<[number, number] | undefined>;
}

export interface BarChartSpec {
  id: string;
  title: string;
  categories: string[];
  series: BarSeries[];
  yMax?: number;
  format?: (v: number) => string;
  width?: number;
  height?: number;
}

function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const pow = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * pow >= max) return step * pow;
  return 10 * pow;
}

function legend(series: { name: string }[], x: number, y: number): string {
  return series
    .map((s, i) => `<g transform="translate(${x + i * 120},${y})"><rect width="12" height="12" fill="${PALETTE[i % PALETTE.length]}"/><text x="16" y="10" class="legend">${esc(s.name)}</text></g>`)
    .join('');
}

function yAxis(top: number, bottom: number, left: number, right: number, yMax: number, format: (v: number) => string): string {
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const y = num(bottom - f * (bottom - top));
    return `<line x1="${left}" x2="${right}" y1="${y}" y2="${y}" class="grid"/><text x="${left - 6}" y="${y + 4}" class="tick" text-anchor="end">${esc(format(f * yMax))}</text>`;
  });
  return ticks.join('');
}

export function barChart(spec: BarChartSpec): string {
  const width = spec.width ?? 640;
  const height = spec.height ?? 300;
  const format = spec.format ?? ((v: number) => v.toFixed(2));
  const [left, right, top, bottom] = [56, width - 16, 40, height - 48];
  const all = spec.series.flatMap((s) => [...s.values, ...(s.errors ?? []).flatMap((e) => (e ? [e[1]] : []))]).filter(Number.isFinite);
  const yMax = spec.yMax ?? niceMax(Math.max(0, ...all));
  const y = (v: number) => num(bottom - (Math.max(0, Math.min(v, yMax)) / yMax) * (bottom - top));
  const groupWidth = (right - left) / Math.max(1, spec.categories.length);
  const barWidth = Math.max(2, (groupWidth * 0.8) / Math.max(1, spec.series.length));
  const parts: string[] = [];
  spec.categories.forEach((cat, ci) => {
    const gx = left + ci * groupWidth + groupWidth * 0.1;
    spec.series.forEach((s, si) => {
      const v = s.values[ci];
      if (!Number.isFinite(v)) return;
      const x = num(gx + si * barWidth);
      const h = num(bottom - y(v));
      parts.push(`<rect class="bar" data-series="${esc(s.name)}" data-category="${esc(cat)}" x="${x}" y="${y(v)}" width="${num(barWidth - 2)}" height="${Math.max(h, 0.5)}" fill="${PALETTE[si % PALETTE.length]}"><title>${esc(`${s.name} ${cat}: ${format(v)}`)}</title></rect>`);
      const e = s.errors?.[ci];
      if (e && Number.isFinite(e[0]) && Number.isFinite(e[1])) {
        const cx = num(x + (barWidth - 2) / 2);
        parts.push(`<g class="whisker"><line x1="${cx}" x2="${cx}" y1="${y(e[0])}" y2="${y(e[1])}"/><line x1="${cx - 4}" x2="${cx + 4}" y1="${y(e[0])}" y2="${y(e[0])}"/><line x1="${cx - 4}" x2="${cx + 4}" y1="${y(e[1])}" y2="${y(e[1])}"/></g>`);
      }
    });
    parts.push(`<text x="${num(left + ci * groupWidth + groupWidth / 2)}" y="${bottom + 16}" class="tick" text-anchor="middle">${esc(cat)}</text>`);
  });
  return `<svg class="chart" data-chart="${esc(spec.id)}" role="img" aria-label="${esc(spec.title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">
<text x="${left}" y="18" class="title">${esc(spec.title)}</text>${legend(spec.series, left, height - 18)}
${yAxis(top, bottom, left, right, yMax, format)}<line x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}" class="axis"/>
${parts.join('\n')}
</svg>`;
}

export interface LineChartSpec {
  id: string;
  title: string;
  series: Array<{ name: string; points: Array<[number, number]> }>;
  width?: number;
  height?: number;
}

export function lineChart(spec: LineChartSpec): string {
  const width = spec.width ?? 420;
  const height = spec.height ?? 240;
  const [left, right, top, bottom] = [56, width - 12, 30, height - 40];
  const pts = spec.series.flatMap((s) => s.points).filter(([x, v]) => Number.isFinite(x) && Number.isFinite(v));
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  let [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  if (!pts.length) [x0, x1, y0, y1] = [0, 1, 0, 1];
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) { y0 -= 0.5; y1 += 0.5; }
  const pad = (y1 - y0) * 0.05;
  [y0, y1] = [y0 - pad, y1 + pad];
  const sx = (x: number) => num(left + ((x - x0) / (x1 - x0)) * (right - left));
  const sy = (v: number) => num(bottom - ((v - y0) / (y1 - y0)) * (bottom - top));
  const fmt = (v: number) => (Number.isInteger(v) || Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(2));
  const grid = [0, 0.5, 1].map((f) => {
    const v = y0 + f * (y1 - y0);
    return `<line x1="${left}" x2="${right}" y1="${sy(v)}" y2="${sy(v)}" class="grid"/><text x="${left - 6}" y="${sy(v) + 4}" class="tick" text-anchor="end">${esc(fmt(v))}</text>`;
  });
  const lines = spec.series.map((s, i) => {
    const good = s.points.filter(([x, v]) => Number.isFinite(x) && Number.isFinite(v));
    const d = good.map(([x, v], j) => `${j ? 'L' : 'M'}${sx(x)},${sy(v)}`).join(' ');
    const dot = good.length === 1 ? `<circle cx="${sx(good[0][0])}" cy="${sy(good[0][1])}" r="3" fill="${PALETTE[i % PALETTE.length]}"/>` : '';
    return `<path class="line" data-series="${esc(s.name)}" d="${d}" fill="none" stroke="${PALETTE[i % PALETTE.length]}" stroke-width="2"/>${dot}`;
  });
  return `<svg class="chart" data-chart="${esc(spec.id)}" role="img" aria-label="${esc(spec.title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">
<text x="${left}" y="18" class="title">${esc(spec.title)}</text>${spec.series.length > 1 ? legend(spec.series, left + 140, 8) : ''}
${grid.join('')}<line x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}" class="axis"/>
<text x="${left}" y="${bottom + 16}" class="tick">${esc(fmt(x0))}</text><text x="${right}" y="${bottom + 16}" class="tick" text-anchor="end">${esc(fmt(x1))}</text>
<text x="${(left + right) / 2}" y="${bottom + 30}" class="tick" text-anchor="middle">step</text>
${lines.join('\n')}
</svg>`;
}
