// Request bodies shared by /v1/completions and /v1/chat/completions, and their mapping to SamplingParams.
// Unknown fields are accepted and ignored (clients send engine extras freely), except `stream`, which this
// server does not implement and refuses rather than answering in the wrong shape.
import { randomInt } from 'node:crypto';
import type { SamplingParams } from '../types.js';

const stringOrList = { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }, { type: 'null' }] } as const;
const nullableInt = (minimum: number, maximum?: number) =>
  ({ anyOf: [{ type: 'integer', minimum, ...(maximum !== undefined ? { maximum } : {}) }, { type: 'null' }] }) as const;

export const samplingSchema = {
  model: { type: 'string' },
  n: { type: 'integer', minimum: 1, maximum: 128, default: 1 },
  temperature: { anyOf: [{ type: 'number', minimum: 0, maximum: 2 }, { type: 'null' }] },
  top_p: { anyOf: [{ type: 'number', exclusiveMinimum: 0, maximum: 1 }, { type: 'null' }] },
  top_k: { anyOf: [{ type: 'integer', minimum: -1 }, { type: 'null' }] },
  seed: { anyOf: [{ type: 'integer' }, { type: 'null' }] },
  max_tokens: nullableInt(0),
  stop: stringOrList,
  stream: { anyOf: [{ type: 'boolean' }, { type: 'null' }] },
} as const;

export const completionsBodySchema = {
  type: 'object',
  required: ['prompt'],
  properties: {
    ...samplingSchema,
    prompt: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, minItems: 1 }] },
    logprobs: nullableInt(0, 20),
    echo: { anyOf: [{ type: 'boolean' }, { type: 'null' }] },
  },
} as const;

export const chatBodySchema = {
  type: 'object',
  required: ['messages'],
  properties: {
    ...samplingSchema,
    max_completion_tokens: nullableInt(0),
    logprobs: { anyOf: [{ type: 'boolean' }, { type: 'null' }] },
    top_logprobs: nullableInt(0, 20),
    messages: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['role', 'content'],
        properties: {
          role: { type: 'string' },
          content: {
            anyOf: [
              { type: 'string' },
              { type: 'array', items: { type: 'object', required: ['type'], properties: { type: { type: 'string' }, text: { type: 'string' } } } },
              { type: 'null' },
            ],
          },
        },
      },
    },
  },
} as const;

export interface SamplingBody {
  n?: number;
  temperature?: number | null;
  top_p?: number | null;
  top_k?: number | null;
  seed?: number | null;
  max_tokens?: number | null;
  stop?: string | string[] | null;
}

/** OpenAI defaults: temperature 1, top_p 1; a missing seed is drawn fresh (so the answer is not reproducible). */
export function samplingParams(body: SamplingBody, defaultMaxTokens: number, extraStop: string[] = []): SamplingParams {
  const stop = body.stop == null ? [] : typeof body.stop === 'string' ? [body.stop] : body.stop;
  return {
    n: body.n ?? 1,
    maxTokens: body.max_tokens ?? defaultMaxTokens,
    temperature: body.temperature ?? 1,
    topP: body.top_p ?? 1,
    topK: body.top_k == null || body.top_k < 0 ? 0 : body.top_k,
    // Clients may send any 64-bit integer; the model's generator takes a 31-bit seed.
    seed: body.seed == null ? randomInt(0, 2 ** 31 - 1) : ((body.seed % 2 ** 31) + 2 ** 31) % 2 ** 31,
    stop: [...stop.filter((s) => s !== ''), ...extraStop],
  };
}
