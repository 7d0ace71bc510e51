// Charts for report.html, the comparison report and the dashboard, drawn by Apache ECharts on the server
// (its SVG renderer, no DOM): the pages get plain inline SVG, so they open offline with no script at all.
import { createRequire } from 'node:module';
import { esc } from '../escape.js';

// Loaded on first use: ECharts is large, and most CLI commands never draw a chart.
type ECharts = typeof import('echarts');
let loaded: ECharts | undefined;
const echarts = (): ECharts => (loaded ??= createRequire(import.meta.url)('echarts') as ECharts);

export const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#9c755f'];

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

export interface LineChartSpec {
  id: string;
  title: string;
  series: Array<{ name: string; points: Array<[number, number]> }>;
  width?: number;
  height?: number;
  xName?: string;
}

const TEXT = { color: '#4b5563', fontSize: 11, fontFamily: 'system-ui, sans-serif' };

function render(id: string, title: string, width: number, height: number, option: Record<string, unknown>): string {
  const chart = echarts().init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ animation: false, color: PALETTE, textStyle: TEXT, title: { text: title, left: 8, top: 4, textStyle: { fontSize: 13, fontWeight: 600, color: '#1d2330' } }, ...option });
    return `<figure class="chart" data-chart="${esc(id)}" role="img" aria-label="${esc(title)}">${chart.renderToSVGString()}</figure>`;
  } finally {
    chart.dispose();
  }
}

// The legend sits under the plot, scrolling when long, so it never overlaps the title or the bars.
const legend = (names: string[]) => (names.length > 1 ? { legend: { data: names, bottom: 4, type: 'scroll', textStyle: TEXT, itemWidth: 12, itemHeight: 12, itemGap: 28 } } : {});

export function barChart(spec: BarChartSpec): string {
  const width = spec.width ?? 640;
  const height = spec.height ?? 300;
  const format = spec.format ?? ((v: number) => v.toFixed(2));
  const n = Math.max(1, spec.series.length);
  const series: Record<string, unknown>[] = spec.series.map((s) => ({
    name: s.name, type: 'bar', barGap: '0%', barCategoryGap: '30%', data: s.values.map((v) => (Number.isFinite(v) ? v : null)),
  }));
  // Whiskers: a custom series per bar series, placed at that bar's centre within its category group.
  spec.series.forEach((s, si) => {
    if (!s.errors?.some(Boolean)) return;
    series.push({
      type: 'custom', name: `${s.name} 95% CI`, silent: true, z: 10, encode: { x: 0, y: [1, 2] },
      data: spec.categories.map((_, ci) => s.errors?.[ci] ?? [NaN, NaN]).map((e, ci) => [ci, e[0], e[1]]),
      renderItem: (_params: unknown, api: any) => {
        const [ci, lo, hi] = [api.value(0), api.value(1), api.value(2)];
        if (!Number.isFinite(lo) || !Number.isFinite(hi)) return null;
        const band = api.size([1, 0])[0] as number;
        const offset = (-0.35 + ((si + 0.5) * 0.7) / n) * band;
        const [x, yLo] = api.coord([ci, lo]) as [number, number];
        const yHi = (api.coord([ci, hi]) as [number, number])[1];
        const cx = x + offset;
        const style = { stroke: '#111827', lineWidth: 1.5 };
        return { type: 'group', children: [
          { type: 'line', shape: { x1: cx, y1: yLo, x2: cx, y2: yHi }, style },
          { type: 'line', shape: { x1: cx - 4, y1: yLo, x2: cx + 4, y2: yLo }, style },
          { type: 'line', shape: { x1: cx - 4, y1: yHi, x2: cx + 4, y2: yHi }, style },
        ] };
      },
    });
  });
  return render(spec.id, spec.title, width, height, {
    ...legend(spec.series.map((s) => s.name)),
    grid: { left: 56, right: 16, top: 40, bottom: spec.series.length > 1 ? 64 : 40, containLabel: false },
    xAxis: { type: 'category', data: spec.categories, axisLabel: { ...TEXT, interval: 0, hideOverlap: true } },
    yAxis: { type: 'value', min: 0, max: spec.yMax, axisLabel: { ...TEXT, formatter: (v: number) => format(v) }, splitLine: { lineStyle: { color: '#eceef2' } } },
    series,
  });
}

export function lineChart(spec: LineChartSpec): string {
  const width = spec.width ?? 420;
  const height = spec.height ?? 260;
  const fmt = (v: number) => (Number.isInteger(v) || Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : Math.abs(v) >= 1e-3 ? v.toPrecision(2) : v.toExponential(1));
  return render(spec.id, spec.title, width, height, {
    ...legend(spec.series.map((s) => s.name)),
    // containLabel keeps long tick labels (learning rates like 1.0e-4) inside the figure.
    grid: { left: 12, right: 20, top: 40, bottom: spec.series.length > 1 ? 56 : 28, containLabel: true },
    xAxis: { type: 'value', name: spec.xName ?? 'step', nameLocation: 'middle', nameGap: 22, scale: true, axisLabel: { ...TEXT, formatter: fmt } },
    yAxis: { type: 'value', scale: true, axisLabel: { ...TEXT, formatter: fmt }, splitLine: { lineStyle: { color: '#eceef2' } } },
    series: spec.series.map((s) => ({
      name: s.name, type: 'line', showSymbol: s.points.length <= 1, symbolSize: 6, lineStyle: { width: 2 },
      data: s.points.filter(([x, v]) => Number.isFinite(x) && Number.isFinite(v)),
    })),
  });
}
