// Stages that learn from scored candidates and measure the result: pair, train, evaluate.
import { checkPluginOutput } from '../kernel/contract/outputs.js';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { LabelledSample, PreferencePair, ScoredCandidate } from '../kernel/contract/data.js';
import type { EvaluationResult, Generator, TrainResult } from '../kernel/contract/kinds.js';
import { CrucibleError } from '../kernel/errors.js';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic.js';
import { sha256 } from '../util/hash.js';
import { readJsonl, toJsonl } from '../util/jsonl.js';
import { assertNoTestLeak, bySplit } from './leakage.js';
import { selectionProblems } from './split-guard.js';
import type { PipelineState } from './pipeline-state.js';
import { withStage } from '../kernel/runner/stage.js';
import { applyGates, pairStatistics, type GateOptions, type PairingStatistics } from './pair-quality.js';
import type { RoundScope } from './stages-sample.js';

export async function pairStage(state: PipelineState, scope?: RoundScope): Promise<void> {
  await withStage(state, `pair${scope?.suffix ?? ''}`, { score: state.keys[`score${scope?.suffix ?? ''}`], pairing: state.plugins.identity('pairing'), gates: state.resolved.manifest.stages?.pairing?.gates }, async (stage) => {
    const prefFile = join(stage.dir, 'preferences.jsonl');
    const statsFile = join(stage.dir, 'pairing_stats.json');
    if (stage.finished) {
      state.pairs = readJsonl<PreferencePair>(prefFile).map((r) => r.value);
      state.pairingStats = JSON.parse(readFileSync(statsFile, 'utf8'));
      return { value: undefined };
    }
    const pairing = await state.plugins.get('pairing', `pair${scope?.suffix ?? ''}`);
    let pairs: PreferencePair[] = [];
    for (const problem of state.problems) {
      const candidates = state.candidates?.get(problem.id);
      if (!candidates) continue;
      const executions = state.executions?.get(problem.id) ?? [];
      const scores = state.scores!.get(problem.id)!;
      const scored: ScoredCandidate[] = candidates.map((candidate, i) => ({ candidate, execution: executions[i], score: scores[i] }));
      const split = state.split.get(problem.id);
      const returned = await pairing.pair(problem, scored);
      checkPluginOutput('pairing', returned, { plugin: state.plugins.name('pairing'), problemId: problem.id });
      for (const pair of returned) pairs.push({ ...pair, problemId: pair.problemId ?? problem.id, split });
    }
    // The plugin may filter its own pairs and report its own numbers; gates and statistics are the kernel's.
    let pluginStats: Record<string, unknown> | undefined;
    if (pairing.finalize) {
      const summary = await pairing.finalize(pairs);
      checkPluginOutput('pairing', summary.pairs, { plugin: state.plugins.name('pairing') });
      pairs = summary.pairs;
      pluginStats = summary.stats;
    }
    const plugin = state.plugins.name('pairing');
    const gated = applyGates(pairs, state.resolved.manifest.stages!.pairing!.gates as GateOptions);
    if (gated.failure) {
      writeJsonAtomic(join(stage.dir, 'pairing_gates_report.json'), { plugin, beforeGates: pairStatistics(pairs), gates: gated.report, pluginStats });
      throw gated.failure;
    }
    pairs = gated.kept;
    const stats: PairingStatistics = { plugin, ...pairStatistics(pairs), gates: gated.report, ...(pluginStats ? { pluginStats } : {}) };
    writeFileAtomic(prefFile, toJsonl(pairs));
    writeJsonAtomic(statsFile, stats);
    state.pairs = pairs;
    state.pairingStats = stats;
    return { value: undefined, summary: { pairs: pairs.length } };
  });
}

/** Pairs from an external JSONL: every line checked, errors name the line. */
export function readPreferenceFile(state: PipelineState, file: string): { pairs: PreferencePair[]; hash: string } {
  const path = resolve(state.resolved.baseDir, file);
  if (!existsSync(path)) throw CrucibleError.at('CRUCIBLE_E_INPUT', { path: 'inputs.preferences', message: `file not found: ${path}` });
  const pairs = readJsonl<PreferencePair>(path).map(({ value, line }) => {
    for (const key of ['prompt', 'chosen', 'rejected'] as const) {
      if (typeof (value as unknown as Record<string, unknown>)?.[key] !== 'string') {
        throw CrucibleError.at('CRUCIBLE_E_INPUT', { file: path, line, message: `"${key}" must be a string`, hint: 'each line needs {"prompt", "chosen", "rejected"}' });
      }
    }
    return value;
  });
  return { pairs, hash: sha256(readFileSync(path)) };
}

export function labelledSamples(state: PipelineState): LabelledSample[] {
  const out: LabelledSample[] = [];
  for (const [problemId, candidates] of state.candidates ?? []) {
    const executions = state.executions?.get(problemId) ?? [];
    candidates.forEach((c, i) => {
      const e = executions[i];
      if (!e) return;
      out.push({ problemId, split: state.split.get(problemId), candidateId: c.id, prompt: c.prompt, code: c.completion, label: e.status === 'SUCCESS' ? 1 : 0, passRate: e.passRate, status: e.status, logprob: c.logprob });
    });
  }
  return out;
}

export async function trainStage(state: PipelineState, scope?: RoundScope): Promise<void> {
  const external = state.resolved.manifest.inputs?.preferences;
  const input = external ? readPreferenceFile(state, external) : undefined;
  if (input) state.pairs = input.pairs;
  const generatorIdentity = state.plugins.identity('generator');
  const suffix = scope?.suffix ?? '';
  const keyParts = {
    upstream: input ? input.hash : state.keys[`pair${suffix}`] ?? state.keys[`execute${suffix}`],
    trainer: state.plugins.identity('trainer'),
    generator: generatorIdentity,
    seed: state.resolved.manifest.seed,
    ...(scope?.start ? { start: scope.start.key } : {}),
    ...(scope?.reference ? { reference: scope.reference.key } : {}),
  };
  state.training = await withStage(state, `train${suffix}`, keyParts, async (stage) => {
    const resultFile = join(stage.dir, 'train_result.json');
    if (stage.finished) return { value: readTrainResult(resultFile, stage.dir) };
    const pairs = state.pairs ?? [];
    const samples = state.pairs ? [] : labelledSamples(state);
    assertNoTestLeak(pairs, state.split, 'preference pairs');
    assertNoTestLeak(samples, state.split, 'labelled samples');
    const pairSplit = bySplit(pairs, state.split);
    const sampleSplit = bySplit(samples, state.split);
    const generator = state.plugins.has('generator') ? await state.plugins.get('generator') : undefined;
    const executor = state.plugins.has('executor') ? await state.plugins.get('executor') : undefined;
    const trainer = await state.plugins.get('trainer', `train${suffix}`);
    const result = await trainer.train({
      pairs: pairSplit.train,
      validationPairs: pairSplit.val,
      samples: sampleSplit.train,
      validationSamples: sampleSplit.val,
      model: scope?.start?.model ?? generator?.baseModel?.(),
      referenceModel: scope?.reference?.model,
      validationProblems: selectionProblems(state.splits, state.split, 'val', 'stages.trainer'),
      generator,
      executor,
    });
    checkPluginOutput('trainer', result, { plugin: state.plugins.name('trainer') });
    // Paths inside the stage folder are stored relative, so a copy from the cache still points at its own files.
    const stored = { ...result, model: { ...result.model, path: relativeIfInside(stage.dir, result.model.path), adapterPath: result.model.adapterPath && relativeIfInside(stage.dir, result.model.adapterPath) } };
    writeJsonAtomic(resultFile, stored);
    return { value: readTrainResult(resultFile, stage.dir), summary: { model: stored.model.path } };
  });
}

export function relativeIfInside(dir: string, path: string): string {
  const rel = relative(dir, path);
  return rel.startsWith('..') || isAbsolute(rel) ? path : `./${rel}`;
}

export function readTrainResult(file: string, dir: string): TrainResult {
  const result = JSON.parse(readFileSync(file, 'utf8')) as TrainResult;
  const abs = (p: string | undefined) => (p && p.startsWith('./') ? join(dir, p) : p);
  return { ...result, model: { ...result.model, path: abs(result.model.path)!, adapterPath: abs(result.model.adapterPath) } };
}

/** The base evaluation's cross-run memo: its key holds everything the base model's scores depend on, nothing from training. */
function baseMemo(state: PipelineState): NonNullable<import('../kernel/contract/kinds.js').EvaluateInput['baseMemo']> {
  const key = sha256(JSON.stringify({ split: state.keys.split, evaluator: state.plugins.identity('evaluator'), generator: state.plugins.identity('generator'), executor: state.plugins.identity('executor'), seed: state.resolved.manifest.seed }));
  const cache = state.services.cache.scoped('kernel:base-evaluation');
  return {
    get<T>() {
      const hit = cache.get<T>(key);
      if (hit !== undefined) {
        state.services.records['evaluation.base'] = { fromCache: true, key };
        state.services.events.emitEvent('record', { stage: 'evaluate', key: 'evaluation.base', value: { fromCache: true, key } });
      }
      return hit;
    },
    set: (value) => cache.set(key, value),
  };
}

export async function evaluateStage(state: PipelineState): Promise<void> {
  if (!state.plugins.has('generator') || !state.plugins.has('executor')) {
    throw CrucibleError.at('CRUCIBLE_E_MANIFEST', { path: 'stages.evaluator', message: 'an evaluator needs stages.generator and stages.executor to sample and run on the test split' });
  }
  const extra = state.extraPolicies ?? [];
  const keyParts = {
    split: state.keys.split, train: state.trainKey ?? state.keys.train ?? null, evaluator: state.plugins.identity('evaluator'), generator: state.plugins.identity('generator'), executor: state.plugins.identity('executor'), seed: state.resolved.manifest.seed,
    ...(extra.length ? { others: extra.map((e) => [e.label, e.key]) } : {}),
  };
  state.evaluation = await withStage(state, 'evaluate', keyParts, async (stage) => {
    const file = join(stage.dir, 'evaluation.json');
    if (stage.finished) return { value: JSON.parse(readFileSync(file, 'utf8')) as EvaluationResult };
    const base = await state.plugins.get('generator');
    const executor = await state.plugins.get('executor');
    const artifact = state.training?.model;
    let trained: Generator | undefined;
    if (artifact?.kind === 'policy') {
      if (!base.withModel) throw CrucibleError.at('CRUCIBLE_E_MANIFEST', { path: 'stages.generator', message: 'the generator cannot sample from a trained policy (it has no withModel)', hint: 'use an in-process generator (one with withModel), or evaluate the model on a server' });
      trained = await base.withModel(artifact);
    }
    const evaluator = await state.plugins.get('evaluator');
    const others: Array<{ label: string; generator: Generator }> = [];
    if (extra.length && base.withModel) for (const e of extra) others.push({ label: e.label, generator: await base.withModel(e.model) });
    const value = await evaluator.evaluate({ problems: state.splits.test, base, trained, artifact, executor, baseMemo: baseMemo(state), ...(others.length ? { others } : {}) });
    await trained?.close?.();
    for (const o of others) await o.generator.close?.();
    checkPluginOutput('evaluator', value, { plugin: state.plugins.name('evaluator') });
    writeJsonAtomic(file, value);
    return { value, summary: { headline: value.headline } };
  });
}
