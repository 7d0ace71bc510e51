// openai-compatible: samples candidates from any OpenAI-compatible server (vLLM, SGLang, TGI, llama.cpp,
// Ollama, crucible serve-model) through the official `openai` client. One request per sample (n = 1) with a
// seed derived from (base seed, problem id, sample index), so every sample is reproducible and cached alone.
import { definePlugin } from 'crucible-ml';
import type { Candidate, Problem } from 'crucible-ml';
import type { Generator, GenerateOptions, LogprobResult, ProblemSamples } from 'crucible-ml';
import type { PluginContext } from 'crucible-ml';
import { CrucibleError } from 'crucible-ml';
import { deriveSeed } from 'crucible-ml/util';
import { hashJson } from 'crucible-ml/util';
import { chatAnswer, completionAnswer, echoLogprobs, type Answer } from './answers.js';
import { asCompleted, type Gate } from './as-completed.js';
import { postprocessAll } from './postprocess-call.js';
import { promptBuilder } from './prompts.js';
import { configSchema, HUMANEVAL_STOP, type PostprocessMode } from './schema.js';
import { Transport } from './transport.js';

const CACHE_VERSION = 1;

/** A base URL as it may be recorded: credentials in the URL are dropped. */
function publicURL(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

function apiKeyFrom(envName: string | undefined): string {
  if (envName === undefined) return 'EMPTY'; // local servers (vLLM without --api-key, serve-model) accept anything
  const key = process.env[envName];
  if (!key) {
    throw CrucibleError.at('CRUCIBLE_E_INPUT', {
      path: 'stages.generator.config.apiKeyEnv',
      message: `environment variable ${envName} is not set`,
      hint: `export ${envName}=<key> before the run; the key is read from the environment only and never written to the run folder`,
    });
  }
  return key;
}

export default definePlugin({
  kind: 'generator',
  name: 'openai-compatible',
  version: '1.0.0',
  apiVersion: '^1',
  description: 'samples from OpenAI-compatible servers (completions or chat), seeded per sample, retried, cached per request',
  configSchema,
  create(config, ctx: PluginContext): Generator {
    const endpoint = config.endpoint;
    const chat = endpoint === 'chat';
    const baseURLs = typeof config.baseURL === 'string' ? [config.baseURL] : [...config.baseURL];
    const stop = config.stop ? [...config.stop] : chat ? [] : HUMANEVAL_STOP;
    const mode: PostprocessMode = config.postprocess ?? (chat ? 'extract-code' : 'none');
    const builder = promptBuilder(endpoint, config.promptTemplate, config.chat);
    const extra = { ...(config.extra as Record<string, unknown>) };
    const transport = new Transport({
      baseURLs,
      apiKey: apiKeyFrom(config.apiKeyEnv),
      concurrency: config.concurrency,
      timeoutMs: config.timeoutMs,
      maxRetries: config.maxRetries,
      retryBaseMs: config.retryBaseMs,
      retryMaxMs: config.retryMaxMs,
      signal: ctx.signal,
      onRetry: (r) => ctx.logger.warn(r, `retrying ${r.baseURL} in ${r.waitMs} ms (${r.description})`),
      onDown: (d) => ctx.logger.warn({ ...d, baseURL: publicURL(d.baseURL) }, `endpoint ${publicURL(d.baseURL)} set aside for ${d.forMs} ms (${d.description}); its requests go to the others`),
    });
    const info = {
      model: config.model,
      promptFormat: builder.format,
      endpoint,
      baseURLs: baseURLs.map(publicURL),
      postprocess: mode,
      ...(config.apiKeyEnv ? { apiKeyEnv: config.apiKeyEnv } : {}),
    };

    /** Cached answer, or one request; the answer is cached the moment it arrives. */
    async function ask(route: 'completions' | 'chat', body: Record<string, unknown>, index: number, parse: (a: unknown, ms: number) => Answer, what: string, gate?: Gate): Promise<Answer> {
      const key = hashJson({ v: CACHE_VERSION, route, body, index });
      if (config.cache) {
        const hit = ctx.cache.get<Answer>(key);
        if (hit) return hit;
      }
      const started = Date.now();
      const answer = await transport.request(route, body, (a) => parse(a, Date.now() - started), what, gate);
      if (config.cache) ctx.cache.set(key, answer);
      return answer;
    }

    /** One sample's answer (cached or asked for) and its seed. */
    async function sample(problem: Problem, index: number, params: Required<Omit<GenerateOptions, 'n'>>, gate: Gate): Promise<{ answer: Answer; seed: number }> {
      const seed = deriveSeed(params.seed, `${problem.id}#${index}`);
      const body: Record<string, unknown> = {
        ...extra,
        model: config.model,
        ...builder.build(problem),
        n: 1,
        temperature: params.temperature,
        top_p: params.topP,
        max_tokens: params.maxTokens,
        seed,
        ...(stop.length > 0 ? { stop } : {}),
        ...(config.logprobs ? (chat ? { logprobs: true } : { logprobs: 1 }) : {}),
      };
      return { answer: await ask(endpoint, body, index, chat ? chatAnswer : completionAnswer, `sample ${problem.id}#${index}`, gate), seed };
    }

    async function candidates(problem: Problem, n: number, params: Required<Omit<GenerateOptions, 'n'>>, gate: Gate): Promise<Candidate[]> {
      const samples = await Promise.all(Array.from({ length: n }, (_, i) => sample(problem, i, params, gate)));
      const processed = await postprocessAll(samples.map((s) => s.answer.text), mode, problem, chat);
      return samples.map(({ answer, seed }, index) => {
        const p = processed[index];
        const candidate: Candidate = {
          id: `${problem.id}#${index}`,
          problemId: problem.id,
          index,
          prompt: problem.prompt,
          completion: p.completion,
          code: p.code,
          promptFormat: builder.format,
          durationMs: answer.durationMs,
          meta: { seed, finishReason: answer.finishReason, ...(p.warning ? { postprocessWarning: p.warning } : {}) },
        };
        if (p.raw !== undefined) candidate.raw = p.raw;
        if (answer.logprob !== undefined) candidate.logprob = answer.logprob;
        if (answer.tokens !== undefined) candidate.tokens = answer.tokens;
        return candidate;
      });
    }

    return {
      info: () => info,

      generate(problems: Problem[], options: GenerateOptions = {}): AsyncIterable<ProblemSamples> {
        const n = options.n ?? config.n;
        const params = {
          seed: options.seed ?? config.seed ?? ctx.seed,
          temperature: options.temperature ?? config.temperature,
          topP: options.topP ?? config.topP,
          maxTokens: options.maxTokens ?? config.maxTokens,
        };
        ctx.events.record('generator.promptFormat', { ...builder.describe, model: config.model, postprocess: mode, stop, extra, n, ...params });
        return asCompleted(problems, async (problem, gate) => ({ problem, candidates: await candidates(problem, n, params, gate) }));
      },

      async logprobs(prompt: string, completion: string): Promise<LogprobResult> {
        // Always the completions route: the judge scores raw text, whatever endpoint sampling uses.
        const body = { model: config.model, prompt: prompt + completion, echo: true, logprobs: 1, max_tokens: config.echoMaxTokens, temperature: 0 };
        const key = hashJson({ v: CACHE_VERSION, route: 'echo-logprobs', body, prompt: prompt.length });
        if (config.cache) {
          const hit = ctx.cache.get<LogprobResult>(key);
          if (hit) return hit;
        }
        const result = await transport.request('completions', body, (a) => echoLogprobs(a, prompt, completion), 'logprobs(prompt, completion)');
        if (config.cache) ctx.cache.set(key, result);
        return result;
      },

      async close() {
        // Nothing to release: the client keeps no open sockets beyond Node's keep-alive pool.
      },
    };
  },
});
