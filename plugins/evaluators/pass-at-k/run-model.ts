// Samples n programs per problem from one generator, executes them, and times both phases separately.
import type { PluginContext } from 'crucible-ml';
import type { Execution, Problem } from 'crucible-ml';
import type { Executor, Generator } from 'crucible-ml';
import { CrucibleError } from 'crucible-ml';
import { appendJsonl, readCompleteJsonl, toJsonl } from 'crucible-ml/util';
import { existsSync, truncateSync } from 'node:fs';
import { modelEvaluation, problemResult } from './aggregate.js';
import type { ModelEvaluation, ProblemResult, SamplingSettings } from '../stats/types.js';

export async function evaluateModel(
  label: string,
  generator: Generator,
  executor: Executor,
  problems: Problem[],
  sampling: SamplingSettings,
  ks: number[],
  ctx: PluginContext,
): Promise<ModelEvaluation> {
  // Each finished problem is appended to a partial file in the stage folder, so a killed run's resume
  // continues from the last finished problem (sampling is seeded per problem, so results are the same).
  const partial = ctx.files.path(`${label}.partial.jsonl`);
  const { records: done, validBytes } = readCompleteJsonl<{ result: ProblemResult; rows: unknown[] }>(partial);
  if (existsSync(partial)) truncateSync(partial, validBytes);
  const finished = new Map(done.map((d) => [d.result.problemId, d]));
  const perProblem: ProblemResult[] = [];
  const sampleRows: unknown[] = [];
  const pending = problems.filter((p) => !finished.has(p.id));
  const wanted = new Set(pending.map((p) => p.id));
  if (finished.size) ctx.progress.tick(finished.size);
  let usedDurations = true;
  let last = ctx.clock.now();
  const options = { n: sampling.n, seed: sampling.seed, temperature: sampling.temperature, topP: sampling.topP, maxTokens: sampling.maxTokens };
  for await (const { problem, candidates } of pending.length ? generator.generate(pending, options) : []) {
    ctx.throwIfCancelled();
    // Generators may work on several problems at once: a candidate's own duration is the honest per-problem
    // time; the wall clock between results is the fallback.
    const wall = ctx.clock.now() - last;
    const own = candidates.every((c) => typeof c.durationMs === 'number') && candidates.length > 0;
    if (!own) usedDurations = false;
    const generationMs = own ? candidates.reduce((s, c) => s + (c.durationMs ?? 0), 0) : wall;
    if (!wanted.delete(problem.id)) {
      throw CrucibleError.at('CRUCIBLE_E_EVAL', { path: 'stages.generator', message: `the generator returned "${problem.id}", which was not requested or came twice` });
    }
    const startExec = ctx.clock.now();
    const executions: Execution[] = candidates.length ? await executor.execute(problem, candidates) : [];
    const executionMs = ctx.clock.now() - startExec;
    if (executions.length !== candidates.length) {
      throw CrucibleError.at('CRUCIBLE_E_EVAL', { path: 'stages.executor', message: `the executor returned ${executions.length} results for ${candidates.length} candidates of ${problem.id}` });
    }
    for (const k of ks) {
      if (candidates.length < k) {
        throw CrucibleError.at('CRUCIBLE_E_EVAL', {
          path: 'stages.evaluator.config.k',
          message: `${label}: ${problem.id} has ${candidates.length} samples; pass@${k} needs at least ${k}`,
          hint: 'raise stages.evaluator.config.n, or use a generator that returns n samples per problem',
        });
      }
    }
    const result = problemResult(problem.id, executions, ks, { generationMs, executionMs });
    const rows = candidates.map((c, i) => ({
      problemId: problem.id, candidateId: c.id, index: c.index, status: executions[i].status, passRate: executions[i].passRate,
      error: executions[i].error, durationMs: executions[i].durationMs, completion: c.completion,
    }));
    appendJsonl(partial, [{ result, rows }], true);
    finished.set(problem.id, { result, rows });
    ctx.progress.tick();
    last = ctx.clock.now();
  }
  if (wanted.size) {
    throw CrucibleError.at('CRUCIBLE_E_EVAL', { path: 'stages.generator', message: `${label}: the generator returned no samples for ${wanted.size} problem(s), e.g. ${[...wanted][0]}` });
  }
  // Problem order, whatever order results arrived in (or were resumed in).
  for (const p of problems) {
    const f = finished.get(p.id)!;
    perProblem.push(f.result);
    sampleRows.push(...f.rows);
  }
  const info = safeInfo(generator);
  const evaluation = modelEvaluation(label, info, sampling, ks, perProblem, usedDurations ? 'candidate.durationMs (sum per problem)' : 'wall clock between results');
  // Per-problem scores and per-sample outcomes, for error analysis beside the report.
  ctx.files.writeText(`${label}.per_problem.jsonl`, toJsonl(evaluation.perProblem));
  ctx.files.writeText(`${label}.samples.jsonl`, toJsonl(sampleRows));
  return evaluation;
}

function safeInfo(generator: Generator): ModelEvaluation['model'] {
  try {
    const { model, promptFormat } = generator.info();
    return { model, promptFormat };
  } catch {
    return {};
  }
}
