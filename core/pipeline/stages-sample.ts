// Stages that turn problems into scored candidates: dataset, split, generate, execute, score.
import { checkPluginOutput } from '../kernel/contract/outputs.js';
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import pLimit from 'p-limit';
import type { Candidate, Execution, ModelArtifact, Problem } from '../kernel/contract/data.js';
import type { Generator } from '../kernel/contract/kinds.js';
import { CrucibleError } from '../kernel/errors.js';
import { hashJson } from '../util/hash.js';
import { toJsonl } from '../util/jsonl.js';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic.js';
import { runItemStage } from '../kernel/runner/item-stage.js';
import type { PipelineState } from './pipeline-state.js';
import { withStage } from '../kernel/runner/stage.js';
import { cancelledError } from '../kernel/runner/stage-context.js';
import { splitWithPins, type SplitFractions } from './split.js';

export async function datasetStage(state: PipelineState): Promise<void> {
  const { manifest } = state.resolved;
  const identity = state.plugins.identity('dataset');
  await withStage(state, 'dataset', { identity, limit: manifest.dataset.limit }, async (stage) => {
    const file = join(stage.dir, 'problems.jsonl');
    if (stage.finished && existsSync(file)) {
      state.problems = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Problem);
    } else {
      const dataset = await state.plugins.get('dataset');
      let problems = await dataset.load();
      checkUniqueIds(problems);
      if (manifest.dataset.limit) problems = [...problems].sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true })).slice(0, manifest.dataset.limit);
      state.problems = problems;
      writeFileAtomic(file, toJsonl(problems));
    }
    state.datasetHash = hashJson(state.problems);
    // The dataset stage's key must change when the data changes, whatever the config says.
    state.keys.dataset = hashJson({ key: state.keys.dataset, data: state.datasetHash });
    state.services.records['dataset.hash'] = state.datasetHash;
    return { value: undefined, summary: { count: state.problems.length, hash: state.datasetHash } };
  });
}

function checkUniqueIds(problems: Problem[]): void {
  const seen = new Set<string>();
  for (const p of problems) {
    if (seen.has(p.id)) throw new CrucibleError('CRUCIBLE_E_DATASET', `duplicate problem id "${p.id}"`, [{ path: 'dataset', message: 'problem ids must be unique' }]);
    seen.add(p.id);
  }
}

export async function splitStage(state: PipelineState): Promise<void> {
  const { manifest } = state.resolved;
  const fractions = manifest.dataset.split as SplitFractions;
  await withStage(state, 'split', { dataset: state.keys.dataset, fractions, seed: manifest.seed }, async (stage) => {
    const { assignment, pinned } = splitWithPins(state.problems, fractions, manifest.seed);
    state.split = assignment;
    state.splits = { train: [], val: [], test: [] };
    for (const p of state.problems) state.splits[state.split.get(p.id)!].push(p);
    const ids = Object.fromEntries(Object.entries(state.splits).map(([k, v]) => [k, v.map((p) => p.id)]));
    if (!stage.finished) writeJsonAtomic(join(stage.dir, 'split.json'), ids);
    const counts = { train: state.splits.train.length, val: state.splits.val.length, test: state.splits.test.length };
    state.services.records['split.counts'] = counts;
    // Problems whose split the dataset fixed (meta.split) ignore the fractions and the seed: say so with the run.
    if (pinned) state.services.records['split.pinnedByDataset'] = pinned;
    return { value: undefined, summary: { ...counts, ...(pinned ? { pinned } : {}) } };
  });
}

/** Problems sampled for training data: by default train and val (val feeds validation pairs); never test (the schema's enum). */
function trainingProblems(state: PipelineState): Problem[] {
  const wanted = new Set<string>(state.resolved.manifest.generation.splits);
  return state.problems.filter((p) => wanted.has(state.split.get(p.id)!));
}

/**
 * One round of an iterative run (rounds.ts): its stages are named with `suffix` ("generate.r2", ...), sample
 * from `policy` instead of the generator's own model, and may cover only some problems. Without a scope the
 * stages are the single pass they always were (same names, same cache keys).
 */
export interface RoundScope {
  suffix: string;
  policy?: { model: ModelArtifact; key: string };
  problems?: Problem[];
  /** Training of this round: the starting policy and the frozen reference (with their stage keys). */
  start?: { model: ModelArtifact; key: string };
  reference?: { model: ModelArtifact; key: string };
}

const named = (stage: string, scope?: RoundScope) => `${stage}${scope?.suffix ?? ''}`;

async function samplingGenerator(state: PipelineState, scope?: RoundScope): Promise<Generator> {
  const base = await state.plugins.get('generator');
  if (!scope?.policy) return base;
  if (!base.withModel) throw CrucibleError.at('CRUCIBLE_E_MANIFEST', { path: 'stages.generator', message: 'rounds need a generator that can sample from a trained policy (withModel)', hint: 'use an in-process generator (one with withModel)' });
  return base.withModel(scope.policy.model);
}

export async function generateStage(state: PipelineState, scope?: RoundScope): Promise<void> {
  const problems = scope?.problems ?? trainingProblems(state);
  const name = named('generate', scope);
  const keyParts = { split: state.keys.split, generator: state.plugins.identity('generator'), seed: state.resolved.manifest.seed, problems: problems.map((p) => p.id), ...(scope?.policy ? { policy: scope.policy.key } : {}) };
  state.candidates = await withStage(state, name, keyParts, async (stage) => {
    const generator = stage.finished ? undefined : await samplingGenerator(state, scope);
    // The model and prompt format are recorded with every run, also when the samples come from the cache.
    const infoFile = join(stage.dir, 'generator_info.json');
    if (generator) writeJsonAtomic(infoFile, generator.info());
    if (existsSync(infoFile)) state.services.records['generator.info'] = JSON.parse(readFileSync(infoFile, 'utf8'));
    const value = await runItemStage<Candidate[]>({
      stage,
      file: 'candidates.jsonl',
      problems,
      signal: state.services.signal,
      progress: state.services.progressFor('generate'),
      label: 'sampling',
      async *process(pending) {
        for await (const { problem, candidates } of generator!.generate(pending, { seed: state.resolved.manifest.seed })) {
          yield { problemId: problem.id, value: candidates };
        }
      },
    });
    if (scope?.policy) await generator?.close?.();
    const total = [...value.values()].reduce((n, c) => n + c.length, 0);
    return { value, summary: { problems: value.size, candidates: total } };
  });
}

export async function executeStage(state: PipelineState, scope?: RoundScope): Promise<void> {
  const problems = scope?.problems ?? trainingProblems(state);
  state.executions = await withStage(state, named('execute', scope), { generate: state.keys[named('generate', scope)], executor: state.plugins.identity('executor') }, async (stage) => {
    const executor = stage.finished ? undefined : await state.plugins.get('executor');
    const value = await runItemStage<Execution[]>({
      stage,
      file: 'executions.jsonl',
      problems,
      signal: state.services.signal,
      progress: state.services.progressFor('execute'),
      label: 'executing',
      process: (pending) =>
        inParallel(pending, executor?.concurrency ?? 2, async (problem) => {
          const candidates = state.candidates!.get(problem.id) ?? [];
          const executions = await executor!.execute(problem, candidates);
          checkPluginOutput('executor', executions, { plugin: state.plugins.name('executor'), problemId: problem.id, count: candidates.length });
          return executions;
        }, state.services.signal),
    });
    const statuses: Record<string, number> = {};
    // Where executors say how tests reached the candidate: an in-process fallback is counted, never silent.
    const isolation: Record<string, number> = {};
    for (const list of value.values()) {
      for (const e of list) {
        statuses[e.status] = (statuses[e.status] ?? 0) + 1;
        if (e.isolation) isolation[e.isolation] = (isolation[e.isolation] ?? 0) + 1;
      }
    }
    return { value, summary: { statuses, ...(Object.keys(isolation).length ? { isolation } : {}) } };
  });
}

export async function scoreStage(state: PipelineState, scope?: RoundScope): Promise<void> {
  const problems = scope?.problems ?? trainingProblems(state);
  state.scores = await withStage(state, named('score', scope), { execute: state.keys[named('execute', scope)], scorer: state.plugins.identity('scorer') }, async (stage) => {
    const scorer = stage.finished ? undefined : await state.plugins.get('scorer');
    const describeFile = join(stage.dir, 'scorer_info.json');
    if (scorer?.describe) writeJsonAtomic(describeFile, scorer.describe());
    if (existsSync(describeFile)) state.services.records['scorer'] = JSON.parse(readFileSync(describeFile, 'utf8'));
    const value = await runItemStage<number[]>({
      stage,
      file: 'scores.jsonl',
      problems,
      signal: state.services.signal,
      progress: state.services.progressFor('score'),
      label: 'scoring',
      process: (pending) =>
        inParallel(pending, 1, async (problem) => {
          const candidates = state.candidates!.get(problem.id) ?? [];
          const scores = await scorer!.score(problem, candidates, state.executions?.get(problem.id) ?? []);
          checkPluginOutput('scorer', scores, { plugin: state.plugins.name('scorer'), problemId: problem.id, count: candidates.length });
          return scores;
        }),
    });
    return { value };
  });
}

/** Runs `work` over problems with bounded concurrency, yielding results as they complete. */
async function* inParallel<T>(problems: Problem[], concurrency: number, work: (p: Problem) => Promise<T>, signal?: AbortSignal): AsyncIterable<{ problemId: string; value: T }> {
  const limit = pLimit(concurrency);
  const pending = new Map<string, Promise<{ problemId: string; value: T }>>();
  // Set when the consumer stops early (a failed write, a failed problem): queued jobs must not start after
  // the stage gave up, or they would keep the executor (and its processes) busy after it was closed.
  let abandoned = false;
  for (const p of problems) {
    const job = limit(async () => {
      if (signal?.aborted) throw cancelledError();
      if (abandoned) throw new CrucibleError('CRUCIBLE_E_STAGE', 'the stage stopped before this problem started');
      return { problemId: p.id, value: await work(p) };
    });
    job.catch(() => undefined); // surfaced through Promise.race below
    pending.set(p.id, job);
  }
  try {
    while (pending.size) {
      const done = await Promise.race(pending.values());
      pending.delete(done.problemId);
      yield done;
    }
  } finally {
    abandoned = true;
    limit.clearQueue();
  }
}
