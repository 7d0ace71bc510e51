// `crucible compare RUN...`: what differed between runs and what each measured, for any runs. The first run
// is the reference: paired tests and per-problem flips compare every other run with it.
import { CrucibleError, isCrucibleError } from '../kernel/errors.js';
import { compareRuns } from '../store/compare.js';
import type { RunStore } from '../store/run-store.js';
import { manifestDiff, type DiffRow } from './diff.js';
import { readRunFacts, type RunFacts } from './facts.js';

export interface Flips {
  /** Problems failing in the reference run and passing in this one, and the reverse. */
  failToPass: string[];
  passToFail: string[];
  /** Problems measured in both. */
  common: number;
  /** Where the per-problem verdicts come from. */
  source: 'evaluation' | 'executions';
}

export interface PairwiseComparison {
  a: string;
  b: string;
  flips?: Flips;
  /** The evaluator's own paired comparison of the final models, when both runs have one. */
  evaluation?: Awaited<ReturnType<typeof compareRuns>>;
  evaluationError?: string;
}

export interface RunsComparison {
  runs: RunFacts[];
  manifestDiff: DiffRow[];
  pairwise: PairwiseComparison[];
}

/** Per-problem verdicts: a problem passes when at least half of its samples pass every test. */
function verdicts(run: RunFacts): { source: Flips['source']; passes: Map<string, boolean> } | undefined {
  // The run's final model: the headline comparison's second model (trained), else the only one.
  const s = run.evaluation?.summary;
  const final = s?.models.find((m) => m.label === s.comparisons?.[0]?.b) ?? s?.models[0];
  if (final?.perProblem && Object.keys(final.perProblem).length) {
    return { source: 'evaluation', passes: new Map(Object.entries(final.perProblem).map(([id, [c, n]]) => [id, n > 0 && c / n >= 0.5])) };
  }
  if (run.execution) return { source: 'executions', passes: new Map(Object.entries(run.execution.perProblem).map(([id, [c, n]]) => [id, c / n >= 0.5])) };
  return undefined;
}

export function flips(a: RunFacts, b: RunFacts): Flips | undefined {
  const va = verdicts(a);
  const vb = verdicts(b);
  if (!va || !vb) return undefined;
  // Compare like with like: evaluations when both have one, else the executed samples.
  const [pa, pb, source] = va.source === vb.source ? [va.passes, vb.passes, va.source] : a.execution && b.execution ? [verdicts({ ...a, evaluation: undefined })!.passes, verdicts({ ...b, evaluation: undefined })!.passes, 'executions' as const] : [undefined, undefined, va.source];
  if (!pa || !pb) return undefined;
  const common = [...pa.keys()].filter((id) => pb.has(id)).sort();
  return { failToPass: common.filter((id) => !pa.get(id) && pb.get(id)), passToFail: common.filter((id) => pa.get(id) && !pb.get(id)), common: common.length, source };
}

export async function compareManyRuns(store: RunStore, ids: string[]): Promise<RunsComparison> {
  if (ids.length < 2) throw CrucibleError.at('CRUCIBLE_E_COMPARE', { message: 'compare needs two or more runs', hint: 'crucible compare RUN_A RUN_B [RUN_C ...]' });
  const resolved = ids.map((id) => store.resolveId(id));
  const runs = resolved.map((id) => readRunFacts(store, id));
  const pairwise: PairwiseComparison[] = [];
  for (const other of runs.slice(1)) {
    const entry: PairwiseComparison = { a: runs[0].id, b: other.id, flips: flips(runs[0], other) };
    if (runs[0].evaluation && other.evaluation) {
      try {
        entry.evaluation = await compareRuns(store, runs[0].id, other.id);
      } catch (error) {
        if (!isCrucibleError(error)) throw error;
        entry.evaluationError = error.message;
      }
    }
    pairwise.push(entry);
  }
  return { runs, manifestDiff: manifestDiff(runs.map((r) => r.manifest)), pairwise };
}
