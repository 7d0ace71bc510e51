// `crucible serve-model`: any model folder the in-process runtime loads, served over the OpenAI API on fastify.
//
//   GET  /v1/models             the one served model (its name and the folder it came from)
//   POST /v1/completions        prompt (string or list), n, temperature, top_p, top_k, seed, max_tokens, stop,
//                               logprobs (chosen-token log-probs), echo (with max_tokens 0: prompt log-probs)
//   POST /v1/chat/completions   messages through the folder's chat template, else the plain template
//   GET  /v1/stats              not OpenAI: request counts per route, tokens, queue length (tests use it to
//                               prove that a cached rerun sent nothing)
//
// Requests reach the model one at a time (SerialQueue). Streaming is not implemented (400).
import Fastify, { type FastifyInstance } from 'fastify';
import { basename, resolve } from 'node:path';
import { CrucibleError } from 'crucible-ml';
import { loadTextModel, type BackendChoice } from '../index.js';
import type { TextModel } from '../types.js';
import { chatFormatter } from './chat-template.js';
import { installRoutes } from './routes.js';
import { emptyStats, type ServerStats } from './serial.js';

export interface ModelServerOptions {
  /** Hugging Face model folder; loaded with loadTextModel unless `model` is given. */
  modelDir?: string;
  /** An already loaded model (the caller keeps ownership: close() does not dispose it). */
  model?: TextModel;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Forces a tfjs backend ("wasm", "cpu", "tensorflow"). */
  backend?: string;
  /** The name clients send as `model`; defaults to the model's id. The folder name is accepted too. */
  servedModelName?: string;
  /** Default max_tokens for chat requests that set none. */
  chatMaxTokens?: number;
  /** Log requests with fastify's logger. */
  logger?: boolean;
}

export interface ModelServer {
  /** Base URL including /v1, ready for the openai client's `baseURL`. */
  url: string;
  readonly stats: ServerStats;
  model: TextModel;
  app: FastifyInstance;
  close(): Promise<void>;
}

export async function startModelServer(options: ModelServerOptions): Promise<ModelServer> {
  if (!options.model && !options.modelDir) throw new CrucibleError('CRUCIBLE_E_INPUT', 'startModelServer needs modelDir or model');
  const owned = !options.model;
  const model = options.model ?? (await loadTextModel(resolve(options.modelDir as string), { backend: options.backend as BackendChoice | undefined }));
  const names = [options.servedModelName ?? model.id, model.id, basename(model.path)].filter((n, i, all) => n && all.indexOf(n) === i);
  const stats = emptyStats();
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 16 * 1024 * 1024 });
  installRoutes(app, { model, names, chat: chatFormatter(model.chatTemplate, options.modelDir ?? model.path), stats, chatMaxTokens: options.chatMaxTokens ?? 512 });
  try {
    await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 8000 });
  } catch (error) {
    if (owned) model.dispose();
    throw new CrucibleError('CRUCIBLE_E_MODEL', `could not listen on ${options.host ?? '127.0.0.1'}:${options.port ?? 8000}: ${(error as Error).message}`, [], { cause: error });
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host ?? '127.0.0.1';
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `http://${urlHost}:${port}/v1`,
    stats,
    model,
    app,
    async close() {
      await app.close();
      if (owned) model.dispose();
    },
  };
}

export { plainChatTemplate, PLAIN_CHAT_STOP } from './chat-template.js';
export type { ServerStats } from './serial.js';
