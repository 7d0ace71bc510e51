// Typed summaries plugins return for reports: the report, the terminal summary and `crucible compare` read these
// (and an evaluator's flat headline), never a plugin's own `details`, so any evaluator is shown like a built-in.

/** A metric with its 95% confidence interval when the evaluator has one. */
export interface MetricValue {
  value: number;
  ci95?: [number, number];
}

/** One evaluated model. */
export interface ModelSummary {
  /** "base", "trained", "round 1", ... (comparisons name models by label). */
  label: string;
  /** The model's name, when known. */
  model?: string;
  /** "pass@1", "compile_rate", ...: shown in this order. */
  metrics: Record<string, MetricValue>;
  /** Samples by execution status (counts). */
  statuses?: Record<string, number>;
  /** Per-problem times by phase ("generation", "execution"), in milliseconds. */
  timingMs?: Record<string, { mean: number; median: number }>;
  /** Problem id -> [samples passing every test, samples]: per-problem flips between runs. */
  perProblem?: Record<string, [number, number]>;
}

/** A paired test over problems of one metric (b - a). */
export interface PairedTest {
  ttest: { t: number; df: number; p: number; meanDifference: number; ci95: [number, number]; n: number; mde80?: number; note?: string };
  wilcoxon?: { statistic: number; p: number; method: string; n: number; zeros: number; note?: string };
}

export interface Change {
  a: number;
  b: number;
  /** b - a. */
  absolute: number;
  /** (b - a) / a; null when a is 0. */
  relative: number | null;
}

/** Model b against model a on the same problems. */
export interface ComparisonSummary {
  a: string;
  b: string;
  problems: number;
  metrics: Record<string, Change & { test?: PairedTest }>;
  /** Share of samples in each status. */
  statusShares?: Record<string, Change>;
}

export interface EvaluationSummary {
  /** Models in display order: the first is the reference (base). */
  models: ModelSummary[];
  /** The first comparison is the headline one (trained vs base). */
  comparisons?: ComparisonSummary[];
  /** How the samples were drawn, in one line ("10 samples per problem, temperature 0.8, ..."). */
  sampling?: string;
}

/** A section a plugin contributes to report.html: a title, text, and a table of plain values (escaped when shown). */
export interface ReportSection {
  title: string;
  text?: string;
  table?: { columns: string[]; rows: Array<Array<string | number | null>> };
}

const metric = { type: 'object', required: ['value'], properties: { value: { type: 'number' } } } as const;
const change = { type: 'object', required: ['a', 'b', 'absolute'], properties: { a: { type: 'number' }, b: { type: 'number' }, absolute: { type: 'number' } } } as const;

/** The JSON Schemas the kernel checks summaries with (contract/outputs.ts). */
export const SUMMARY_SCHEMAS = {
  evaluationSummary: {
    type: 'object',
    required: ['models'],
    properties: {
      models: { type: 'array', items: { type: 'object', required: ['label', 'metrics'], properties: { label: { type: 'string' }, metrics: { type: 'object', additionalProperties: metric } } } },
      comparisons: { type: 'array', items: { type: 'object', required: ['a', 'b', 'metrics'], properties: { a: { type: 'string' }, b: { type: 'string' }, metrics: { type: 'object', additionalProperties: change } } } },
      sampling: { type: 'string' },
    },
  },
  reportSections: {
    type: 'array',
    items: {
      type: 'object',
      required: ['title'],
      properties: {
        title: { type: 'string' },
        text: { type: 'string' },
        table: { type: 'object', required: ['columns', 'rows'], properties: { columns: { type: 'array', items: { type: 'string' } }, rows: { type: 'array', items: { type: 'array', items: { type: ['string', 'number', 'null'] } } } } },
      },
    },
  },
} as const;
