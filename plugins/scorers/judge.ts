// The log-prob judge shared by logprob-judge and hybrid: a generator's log-probability of a completion
// given its prompt, normalized over tokens and mapped to [0, 1] within a problem.
import type { PluginContext } from 'crucible-ml';
import type { GeneratorInfo, LogprobResult } from 'crucible-ml';
import { CrucibleError } from 'crucible-ml';

/** What a judge needs from a generator: the optional `logprobs` capability, made required. */
export interface JudgeModel {
  info(): GeneratorInfo;
  logprobs(prompt: string, completion: string): Promise<LogprobResult>;
}

export type Normalize = 'mean' | 'sum';
export type Mapping = 'minmax' | 'rank';

export interface JudgeOptions {
  normalize: Normalize;
  mapping: Mapping;
  /** How the judge prompt is built from the candidate's prompt: "{prompt}" is replaced. */
  template: string;
}

export const judgeSchemaProperties = {
  generator: {
    type: 'object',
    additionalProperties: false,
    required: ['plugin'],
    hostResource: 'plugin',
    pluginKind: 'generator',
    description: 'the judge: any generator plugin offering logprobs',
    properties: { plugin: { type: 'string', minLength: 1 }, config: { type: 'object', default: {} } },
  },
  normalize: { enum: ['mean', 'sum'], default: 'mean', description: 'mean or sum of the completion tokens\' log-probs' },
  mapping: { enum: ['minmax', 'rank'], default: 'minmax', description: 'how values map to [0, 1] within a problem' },
  template: { type: 'string', default: '{prompt}', description: 'judge prompt; {prompt} is the candidate\'s prompt' },
} as const;

/** The judge options' defaults for the programmatic API, read from the schema above (the one place they are written). */
export const judgeDefaults: JudgeOptions = {
  normalize: judgeSchemaProperties.normalize.default,
  mapping: judgeSchemaProperties.mapping.default,
  template: judgeSchemaProperties.template.default,
};

/** `defaults` with the options a caller set laid over them; an undefined value counts as unset and unknown keys are left out. */
export function withDefaults<T extends object>(defaults: T, given: Partial<T>): T {
  const set = Object.entries(given).filter(([key, value]) => value !== undefined && key in defaults);
  return { ...defaults, ...Object.fromEntries(set) } as T;
}

export function judgePrompt(template: string, prompt: string): string {
  return template.split('{prompt}').join(prompt);
}

/** Normalized log-prob; an empty completion has no tokens and ranks lowest. */
export function normalizedLogprob(r: LogprobResult, normalize: Normalize): number {
  if (normalize === 'sum') return Number.isFinite(r.sum) ? r.sum : Number.NEGATIVE_INFINITY;
  if (r.tokens.length === 0) return Number.NEGATIVE_INFINITY;
  const m = r.sum / r.tokens.length;
  return Number.isFinite(m) ? m : Number.NEGATIVE_INFINITY;
}

/** Maps raw values to [0, 1]: higher is better. No spread (or one value) gives the neutral 0.5. */
export function mapToUnit(values: number[], mapping: Mapping): number[] {
  if (values.length === 0) return [];
  if (mapping === 'rank') {
    const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
    const ranks = new Array<number>(values.length);
    for (let i = 0; i < order.length; ) {
      let j = i;
      while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
      for (let t = i; t <= j; t++) ranks[order[t][1]] = (i + j) / 2; // average rank for ties
      i = j + 1;
    }
    const top = values.length - 1;
    return top === 0 || ranks.every((r) => r === ranks[0]) ? values.map(() => 0.5) : ranks.map((r) => r / top);
  }
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return values.map(() => 0.5);
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  return values.map((v) => {
    if (!Number.isFinite(v)) return v > 0 ? 1 : 0;
    return hi === lo ? (finite.length === values.length ? 0.5 : 1) : (v - lo) / (hi - lo);
  });
}

/** Raw normalized log-probs of the completions, in order. */
export async function judgeValues(judge: JudgeModel, items: Array<{ prompt: string; completion: string }>, options: JudgeOptions): Promise<number[]> {
  const results = await Promise.all(items.map((it) => judge.logprobs(judgePrompt(options.template, it.prompt), it.completion)));
  return results.map((r) => normalizedLogprob(r, options.normalize));
}

export function describeJudge(judge: JudgeModel, options: JudgeOptions): Record<string, unknown> {
  const info = judge.info();
  return { judgeModel: info.model, judgePromptFormat: info.promptFormat, template: options.template, normalize: options.normalize, mapping: options.mapping };
}

/**
 * Creates the configured judge generator through the kernel (ctx.plugins: resolved, validated and recorded with
 * the manifest, under the same allowlist as a stage) and checks it offers logprobs.
 */
export async function loadJudge(spec: { plugin: string; config?: unknown }, ctx: PluginContext, path: string): Promise<JudgeModel> {
  const api = await ctx.plugins.create('generator', spec, path);
  if (typeof api.logprobs !== 'function') {
    throw CrucibleError.at('CRUCIBLE_E_MANIFEST', {
      path: `${path}.plugin`,
      message: `generator "${spec.plugin}" cannot score text (it has no logprobs)`,
      hint: 'use a generator that offers logprobs, e.g. tfjs-lm, or openai-compatible against a server that returns prompt logprobs',
    });
  }
  return { info: () => api.info(), logprobs: (prompt, completion) => api.logprobs!(prompt, completion) };
}
