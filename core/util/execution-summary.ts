// The executed samples in numbers: taxonomy, pass@1 estimate, compile rate. Used by results.json (every run
// that executed shows what it measured) and by `crucible compare`.

export const STATUSES = ['SUCCESS', 'WRONG_OUTPUT', 'RUNTIME_ERROR', 'TIMEOUT', 'SYNTAX_ERROR'] as const;

export interface ExecutionFacts {
  samples: number;
  problems: number;
  taxonomy: Record<string, number>;
  /** Mean over problems of the share of samples that pass every test (pass@1 estimate). */
  passAt1: number;
  /** Share of samples that compile (not SYNTAX_ERROR). */
  compileRate: number;
  meanTestPassRate: number;
  /** problem id -> [passing samples, samples]. */
  perProblem: Record<string, [number, number]>;
}

export function summarizeExecutions(byProblem: Map<string, Array<{ status: string; passRate?: number }>>): ExecutionFacts | undefined {
  const taxonomy: Record<string, number> = Object.fromEntries(STATUSES.map((s) => [s, 0]));
  const perProblem: Record<string, [number, number]> = {};
  let samples = 0;
  let rateSum = 0;
  for (const [id, list] of byProblem) {
    if (list.length === 0) continue;
    let pass = 0;
    for (const e of list) {
      taxonomy[e.status] = (taxonomy[e.status] ?? 0) + 1;
      if (e.status === 'SUCCESS') pass++;
      rateSum += e.passRate ?? 0;
    }
    samples += list.length;
    perProblem[id] = [pass, list.length];
  }
  const ids = Object.keys(perProblem);
  if (samples === 0) return undefined;
  return {
    samples,
    problems: ids.length,
    taxonomy,
    passAt1: ids.reduce((s, id) => s + perProblem[id][0] / perProblem[id][1], 0) / ids.length,
    compileRate: 1 - (taxonomy.SYNTAX_ERROR ?? 0) / samples,
    meanTestPassRate: rateSum / samples,
    perProblem,
  };
}

