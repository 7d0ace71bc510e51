// tfjs-lm: samples candidates in-process from a Hugging Face model folder through the TensorFlow.js
// decoder (plugins/lm). Problems are batched together; each problem's samples use a seed derived from
// the run seed and the problem id, so results do not depend on problem order or batch composition.
import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { definePlugin } from 'crucible-ml';
import type { PluginContext } from 'crucible-ml';
import type { Candidate, ModelArtifact, Problem } from 'crucible-ml';
import type { GenerateOptions, Generator, ProblemSamples } from 'crucible-ml';
import { CrucibleError } from 'crucible-ml';
import { deriveSeed } from 'crucible-ml/util';
import { packageRoot } from 'crucible-ml/util';
import { backendFor, recordBackend, type BackendChoice } from '../../lm/backend.js';
import type { LocalTextModel } from '../../lm/text-model.js';

export const DEFAULT_STOP = ['\ndef ', '\nclass ', '\nif __name__', '\nprint(', '\n#'];
export const DEFAULT_MODEL = 'models/crucible-tiny-coder';

const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    model: { type: 'string', default: DEFAULT_MODEL, hostResource: 'read-path',  description: 'Hugging Face model folder (relative to the manifest folder; the embedded model by default)' },
    n: { type: 'integer', minimum: 1, default: 10 },
    temperature: { type: 'number', minimum: 0, default: 0.8, description: '0 = greedy' },
    topP: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.95 },
    topK: { type: 'integer', minimum: 0, default: 0, description: '0 = off' },
    maxTokens: { type: 'integer', minimum: 1, default: 128 },
    stop: { type: 'array', items: { type: 'string' }, default: DEFAULT_STOP },
    seed: { type: 'integer', description: 'base seed; the run seed when omitted' },
    batchSize: { type: 'integer', minimum: 1, default: 128, description: 'sequences decoded together' },
    backend: { type: 'string', enum: ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'], default: 'auto' },
  },
} as const;

interface Settings {
  n: number;
  temperature: number;
  topP: number;
  topK: number;
  maxTokens: number;
  stop: string[];
  seed?: number;
  batchSize: number;
  backend: BackendChoice;
}

function resolveModel(path: string, baseDir: string): string {
  if (isAbsolute(path)) return path;
  const fromManifest = resolve(baseDir, path);
  if (existsSync(fromManifest)) return fromManifest;
  // The embedded model ships with crucible, wherever the manifest lives.
  // Only inside the package: a path that climbs out of it is what the manifest's folder says, nothing else.
  const fromPackage = resolve(packageRoot(), path);
  const insidePackage = !relative(packageRoot(), fromPackage).startsWith('..');
  return insidePackage && existsSync(fromPackage) ? fromPackage : fromManifest;
}

/**
 * `shareModel`: the configured model is loaded once per run and shared through ctx.shared with every plugin that
 * asks for the same folder and backend (a log-prob judge over the policy); the kernel disposes it at the run's
 * end. A trained policy (withModel) is this generator's own, disposed by close().
 */
function makeGenerator(modelPath: string, s: Settings, ctx: PluginContext, shareModel: boolean): Generator {
  let loading: Promise<LocalTextModel> | undefined;
  const load = async (): Promise<LocalTextModel> => {
    const { loadTextModel } = await import('../../lm/index.js');
    const m = await loadTextModel(modelPath, { backend: s.backend });
    recordBackend(ctx.events, m.backend);
    ctx.logger.info({ backend: m.backend, model: modelPath }, `tfjs-lm: ${m.id} on ${m.backend}`);
    return m;
  };
  const model = (): Promise<LocalTextModel> => (loading ??= shareModel ? ctx.shared.get(`tfjs-lm:model:${modelPath}:${JSON.stringify(s.backend)}`, load) : load());

  return {
    info: () => ({ model: modelPath, promptFormat: 'completion:raw', backend: s.backend, stop: s.stop }),

    async *generate(problems: Problem[], options: GenerateOptions = {}): AsyncIterable<ProblemSamples> {
      const m = await model();
      const n = options.n ?? s.n;
      const base = options.seed ?? s.seed ?? ctx.seed;
      const params = {
        n,
        temperature: options.temperature ?? s.temperature,
        topP: options.topP ?? s.topP,
        topK: s.topK,
        maxTokens: options.maxTokens ?? s.maxTokens,
        stop: s.stop,
        seed: base,
      };
      ctx.events.record('tfjs.sampling', { model: modelPath, backend: m.backend, ...params, batchSize: s.batchSize });
      ctx.progress.start(problems.length, 'sampling');
      const perBatch = Math.max(1, Math.floor(s.batchSize / n));
      for (let i = 0; i < problems.length; i += perBatch) {
        ctx.throwIfCancelled();
        const chunk = problems.slice(i, i + perBatch);
        const started = Date.now();
        const seeds = chunk.map((p) => deriveSeed(base, p.id));
        const out = await m.generate(chunk.map((p) => p.prompt), { ...params, seeds }, { logprobs: true, signal: ctx.signal, maxBatch: s.batchSize });
        const ms = Date.now() - started;
        for (let j = 0; j < chunk.length; j++) {
          const problem = chunk[j];
          const candidates: Candidate[] = out[j].map((c, index) => ({
            id: `${problem.id}#${index}`,
            problemId: problem.id,
            index,
            prompt: problem.prompt,
            completion: c.text,
            code: problem.prompt + c.text,
            promptFormat: 'completion:raw',
            logprob: (c.logprobs ?? []).reduce((a, b) => a + b, 0),
            tokens: c.tokens,
            durationMs: Math.round(ms / (chunk.length * n)),
            meta: { seed: seeds[j], finishReason: c.finishReason },
          }));
          yield { problem, candidates };
          ctx.progress.tick();
        }
      }
    },

    async logprobs(prompt: string, completion: string) {
      const r = await (await model()).logprobs(prompt, completion);
      return { sum: r.sum, tokens: r.tokens };
    },

    baseModel: (): ModelArtifact => ({ kind: 'policy', path: modelPath }),

    async withModel(artifact: ModelArtifact): Promise<Generator> {
      if (artifact.kind !== 'policy') {
        throw CrucibleError.at('CRUCIBLE_E_MODEL', { message: `tfjs-lm samples from policies, got a ${artifact.kind}`, path: 'stages.generator' });
      }
      return makeGenerator(resolve(artifact.path), s, ctx, false);
    },

    async close() {
      if (loading && !shareModel) (await loading).dispose();
      loading = undefined;
    },
  };
}

export default definePlugin({
  kind: 'generator',
  name: 'tfjs-lm',
  version: '1.0.0',
  apiVersion: '^1',
  description: 'in-process sampling from a Hugging Face Llama/Qwen2 folder on TensorFlow.js (KV cache, batched, seeded per problem)',
  configSchema,
  create(config, ctx) {
    const s: Settings = {
      n: config.n,
      temperature: config.temperature,
      topP: config.topP,
      topK: config.topK,
      maxTokens: config.maxTokens,
      stop: config.stop ? [...config.stop] : DEFAULT_STOP,
      seed: config.seed,
      batchSize: config.batchSize,
      backend: backendFor(config.backend, ctx.runtime),
    };
    return makeGenerator(resolveModel(config.model, ctx.baseDir), s, ctx, true);
  },
});
