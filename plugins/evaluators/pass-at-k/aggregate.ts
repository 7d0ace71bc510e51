// From one problem's executions to its ProblemResult, and from all ProblemResults to a ModelEvaluation.
import { EXECUTION_STATUSES, type Execution } from 'crucible-ml';
import { mean, median, passAtK } from '../stats/pass-at-k.js';
import { meanCi95 } from '../stats/significance.js';
import type { ModelEvaluation, ProblemResult, SamplingSettings, StatusCounts, Summary } from '../stats/types.js';

export function emptyCounts(): StatusCounts {
  return { SYNTAX_ERROR: 0, RUNTIME_ERROR: 0, TIMEOUT: 0, WRONG_OUTPUT: 0, SUCCESS: 0 };
}

export function problemResult(problemId: string, executions: Execution[], ks: number[], timing: { generationMs: number; executionMs: number }): ProblemResult {
  const statuses = emptyCounts();
  for (const e of executions) statuses[e.status] += 1;
  const n = executions.length;
  const c = statuses.SUCCESS;
  const estimates: Record<string, number> = {};
  for (const k of ks) estimates[`pass@${k}`] = passAtK(n, c, k);
  return { problemId, n, c, passAtK: estimates, statuses, meanTestPassRate: mean(executions.map((e) => e.passRate)), ...timing };
}

function summary(values: number[]): Summary {
  return { mean: mean(values), median: median(values), total: values.reduce((s, v) => s + v, 0) };
}

export function modelEvaluation(
  label: string,
  model: ModelEvaluation['model'],
  sampling: SamplingSettings,
  ks: number[],
  perProblem: ProblemResult[],
  generationSource: string,
): ModelEvaluation {
  const sorted = [...perProblem].sort((x, y) => (x.problemId < y.problemId ? -1 : x.problemId > y.problemId ? 1 : 0));
  const passAtKSummary: ModelEvaluation['passAtK'] = {};
  for (const k of ks) {
    const values = sorted.map((p) => p.passAtK[`pass@${k}`]);
    passAtKSummary[`pass@${k}`] = { value: mean(values), ci95: meanCi95(values) };
  }
  const counts = emptyCounts();
  for (const p of sorted) for (const s of EXECUTION_STATUSES) counts[s] += p.statuses[s];
  const total = EXECUTION_STATUSES.reduce((s, k) => s + counts[k], 0);
  const shares = emptyCounts();
  for (const s of EXECUTION_STATUSES) shares[s] = total ? counts[s] / total : 0;
  const sampleWeighted = sorted.reduce((s, p) => s + p.meanTestPassRate * p.n, 0);
  return {
    label,
    model,
    sampling,
    problemIds: sorted.map((p) => p.problemId),
    passAtK: passAtKSummary,
    taxonomy: { total, counts, shares },
    compileRate: total ? 1 - counts.SYNTAX_ERROR / total : 0,
    meanTestPassRate: total ? sampleWeighted / total : 0,
    timing: { generationMs: summary(sorted.map((p) => p.generationMs)), executionMs: summary(sorted.map((p) => p.executionMs)), generationSource },
    perProblem: sorted,
  };
}
