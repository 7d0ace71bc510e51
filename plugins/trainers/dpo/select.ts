// Hyper-parameter selection on the validation split only: the grid's candidates, and the validation
// pass@1 of a trained candidate (sampled with the experiment's generator over that model, executed
// with its executor). Test problems never reach this file.
import type { PluginContext } from 'crucible-ml';
import type { ModelArtifact, Problem } from 'crucible-ml';
import type { Executor, Generator } from 'crucible-ml';
import { CrucibleError } from 'crucible-ml';
import type { Setting } from './train-run.js';

export interface GridConfig {
  beta?: readonly number[];
  lr?: readonly number[];
  epochs?: readonly number[];
  rpoAlpha?: readonly number[];
}

/** Cartesian product of the grid over the base setting, in a fixed order (beta, lr, epochs, rpoAlpha). */
export function gridSettings(base: Setting, grid: GridConfig | undefined): Setting[] {
  const out: Setting[] = [];
  for (const beta of grid?.beta ?? [base.beta])
    for (const lr of grid?.lr ?? [base.lr])
      for (const epochs of grid?.epochs ?? [base.epochs])
        for (const rpoAlpha of grid?.rpoAlpha ?? [base.rpoAlpha]) out.push({ ...base, beta, lr, epochs, rpoAlpha });
  return out;
}

export function settingName(s: Setting, i: number): string {
  return `${String(i).padStart(2, '0')}-beta${s.beta}-lr${s.lr}-ep${s.epochs}${s.rpoAlpha ? `-rpo${s.rpoAlpha}` : ''}`;
}

export interface PassAtOne {
  pass1: number;
  /** pass@1 per sampling seed (the spread shows the selection noise). */
  perSeed: number[];
  problems: number;
  samples: number;
}

export interface SelectionSampling {
  n: number;
  temperature: number;
  topP: number;
  seeds: number[];
}

/** Mean over problems of (passing samples / n), averaged over the sampling seeds. */
export async function validationPassAt1(generator: Generator, model: ModelArtifact | undefined, executor: Executor, problems: Problem[], o: SelectionSampling, ctx: PluginContext): Promise<PassAtOne> {
  const gen = model ? await generator.withModel!(model) : generator;
  const perSeed: number[] = [];
  let samples = 0;
  try {
    for (const seed of o.seeds) {
      let sum = 0;
      for await (const { problem, candidates } of gen.generate(problems, { n: o.n, temperature: o.temperature, topP: o.topP, seed })) {
        ctx.throwIfCancelled();
        const runs = await executor.execute(problem, candidates);
        const passed = runs.filter((r) => r.status === 'SUCCESS').length;
        sum += candidates.length ? passed / candidates.length : 0;
        samples += candidates.length;
      }
      perSeed.push(problems.length ? sum / problems.length : 0);
    }
  } finally {
    if (model) await gen.close?.();
  }
  return { pass1: perSeed.reduce((a, b) => a + b, 0) / Math.max(1, perSeed.length), perSeed, problems: problems.length, samples };
}

/** Fails early (before any training) when the chosen selection cannot run. */
export function checkSelection(selectBy: string, candidates: number, input: { generator?: Generator; executor?: Executor; validationProblems?: Problem[]; valPairs: number }): void {
  if (candidates <= 1 && selectBy !== 'val-pass@1') return;
  if (selectBy === 'reward-accuracy' && input.valPairs === 0) {
    throw CrucibleError.at('CRUCIBLE_E_TRAIN', { path: 'stages.trainer.config.grid', message: 'a grid selected by reward accuracy needs validation pairs, and there are none', hint: 'use selectBy "val-pass@1", give the validation split more problems, or drop the grid' });
  }
  if (selectBy === 'val-pass@1') {
    if (!input.generator?.withModel || !input.executor) {
      throw CrucibleError.at('CRUCIBLE_E_TRAIN', { path: 'stages.trainer.config.selectBy', message: 'val-pass@1 selection needs a generator that can sample from a trained model (withModel) and an executor', hint: 'use an in-process generator (tfjs-lm) or selectBy "reward-accuracy"' });
    }
    if (!input.validationProblems?.length) {
      throw CrucibleError.at('CRUCIBLE_E_TRAIN', { path: 'stages.trainer.config.selectBy', message: 'val-pass@1 selection needs validation problems, and the validation split is empty', hint: 'give the split a validation share' });
    }
  }
}
