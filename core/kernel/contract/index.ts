export * from './data.js';
export * from './kinds.js';
export * from './context.js';
export * from './define-plugin.js';
export { OUTPUT_SCHEMAS, checkOutput, type OutputName } from './outputs.js';
export { CrucibleError, type ErrorCode, type ErrorDetail } from '../errors.js';
export { SUMMARY_SCHEMAS } from './summaries.js';
export type { Change, ComparisonSummary, EvaluationSummary, MetricValue, ModelSummary, PairedTest, ReportSection } from './summaries.js';
