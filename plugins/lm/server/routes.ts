// The OpenAI-compatible routes over one in-process TextModel: /v1/models, /v1/completions, /v1/chat/completions.
import type { FastifyInstance } from 'fastify';
import type { TextModel } from '../types.js';
import type { ChatFormatter, ChatMessage } from './chat-template.js';
import { chatBodySchema, completionsBodySchema, samplingParams, type SamplingBody } from './params.js';
import { SerialQueue, type ServerStats } from './serial.js';
import { chatLogprobs, completionLogprobs, concatLogprobs, openaiError, responseId, type CompletionLogprobs } from './shapes.js';

export interface RouteOptions {
  model: TextModel;
  /** Names the server answers to (the first is what /v1/models lists). */
  names: string[];
  chat: ChatFormatter;
  stats: ServerStats;
  /** Default max_tokens for chat when the request sets none (completions default to OpenAI's 16). */
  chatMaxTokens: number;
}

interface CompletionsBody extends SamplingBody {
  model?: string;
  prompt: string | string[];
  logprobs?: number | null;
  echo?: boolean | null;
  stream?: boolean | null;
}

interface ChatBody extends SamplingBody {
  model?: string;
  messages: Array<{ role: string; content: string | Array<{ type: string; text?: string }> | null }>;
  max_completion_tokens?: number | null;
  logprobs?: boolean | null;
  top_logprobs?: number | null;
  stream?: boolean | null;
}

class RequestError extends Error {
  constructor(readonly status: number, message: string, readonly param: string | null = null) {
    super(message);
  }
}

export function installRoutes(app: FastifyInstance, options: RouteOptions): void {
  const { model, names, stats } = options;
  const queue = new SerialQueue(stats);
  // Counted on arrival, so malformed requests (rejected before the handler) count too.
  const routeNames: Record<string, string> = { '/v1/models': 'models', '/v1/completions': 'completions', '/v1/chat/completions': 'chat.completions' };
  app.addHook('onRequest', async (request) => {
    const route = routeNames[request.url.split('?')[0]];
    if (!route) return;
    stats.requests++;
    stats.byRoute[route] = (stats.byRoute[route] ?? 0) + 1;
  });
  const checkRequest = (body: { model?: string; stream?: boolean | null }) => {
    if (body.stream) throw new RequestError(400, 'stream: true is not supported by crucible serve-model', 'stream');
    if (body.model !== undefined && !names.includes(body.model)) {
      throw new RequestError(404, `The model \`${body.model}\` does not exist; this server serves ${names.map((n) => `\`${n}\``).join(' or ')}`, 'model');
    }
  };

  app.setErrorHandler((error: Error & { statusCode?: number; validation?: unknown }, _request, reply) => {
    if (error instanceof RequestError) return reply.status(error.status).send(openaiError(error.message, error.status === 404 ? 'not_found_error' : 'invalid_request_error', error.param));
    if (error.validation || (error.statusCode && error.statusCode < 500)) {
      return reply.status(error.statusCode ?? 400).send(openaiError(error.message, 'invalid_request_error'));
    }
    stats.errors++;
    return reply.status(500).send(openaiError(`model error: ${error.message}`, 'server_error'));
  });

  app.get('/v1/models', async () => {
    return { object: 'list', data: [{ id: names[0], object: 'model', created: 0, owned_by: 'crucible', root: model.path }] };
  });

  app.get('/v1/stats', async () => ({ ...stats, byRoute: { ...stats.byRoute }, model: names[0], backend: model.backend, chatTemplate: options.chat.name }));

  /** The OpenAI response envelope shared by both routes; also counts the tokens for /v1/stats. */
  const envelope = <C>(prefix: string, object: string, choices: C[], promptTokens: number, completionTokens: number) => {
    stats.promptTokens += promptTokens;
    stats.completionTokens += completionTokens;
    return {
      id: responseId(prefix),
      object,
      created: Math.floor(Date.now() / 1000),
      model: names[0],
      choices,
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    };
  };

  app.post('/v1/completions', { schema: { body: completionsBodySchema } }, async (request) => {
    const body = request.body as CompletionsBody;
    checkRequest(body);
    const prompts = typeof body.prompt === 'string' ? [body.prompt] : body.prompt;
    const params = samplingParams(body, 16);
    const wantLogprobs = body.logprobs != null;
    const echo = body.echo === true;
    return queue.run(async () => {
      const outputs = params.maxTokens > 0
        ? await model.generate(prompts, params, { logprobs: wantLogprobs })
        : prompts.map(() => Array.from({ length: params.n }, () => ({ text: '', tokens: 0, finishReason: 'length' as const, logprobs: [] as number[], tokenTexts: [] as string[] })));
      const promptLogprobs: Array<CompletionLogprobs | undefined> = [];
      for (const prompt of prompts) promptLogprobs.push(echo && wantLogprobs ? await echoLogprobs(model, prompt) : undefined);
      let completionTokens = 0;
      let promptTokens = 0;
      const choices = prompts.flatMap((prompt, p) => {
        promptTokens += model.countTokens(prompt);
        return outputs[p].map((c, j) => {
          completionTokens += c.tokens;
          let logprobs: CompletionLogprobs | null = null;
          if (wantLogprobs) {
            const generated = completionLogprobs(c.tokenTexts ?? [], c.logprobs ?? []);
            logprobs = echo ? concatLogprobs(promptLogprobs[p] as CompletionLogprobs, generated) : generated;
          }
          return { index: p * params.n + j, text: echo ? prompt + c.text : c.text, logprobs, finish_reason: c.finishReason };
        });
      });
      return envelope('cmpl', 'text_completion', choices, promptTokens, completionTokens);
    });
  });

  app.post('/v1/chat/completions', { schema: { body: chatBodySchema } }, async (request) => {
    const body = request.body as ChatBody;
    checkRequest(body);
    const messages: ChatMessage[] = body.messages.map((m) => ({
      role: m.role,
      content: typeof m.content === 'string' ? m.content : (m.content ?? []).map((part) => part.text ?? '').join(''),
    }));
    const prompt = options.chat.render(messages);
    const params = samplingParams({ ...body, max_tokens: body.max_completion_tokens ?? body.max_tokens }, options.chatMaxTokens, options.chat.stop);
    const wantLogprobs = body.logprobs === true;
    return queue.run(async () => {
      const [outputs] = params.maxTokens > 0 ? await model.generate([prompt], params, { logprobs: wantLogprobs }) : [Array.from({ length: params.n }, () => ({ text: '', tokens: 0, finishReason: 'length' as const }))];
      const promptTokens = model.countTokens(prompt);
      let completionTokens = 0;
      const choices = outputs.map((c, index) => {
        completionTokens += c.tokens;
        return {
          index,
          message: { role: 'assistant', content: c.text },
          logprobs: wantLogprobs && 'logprobs' in c ? chatLogprobs(c.tokenTexts ?? [], c.logprobs ?? [], (body.top_logprobs ?? 0) > 0) : null,
          finish_reason: c.finishReason,
        };
      });
      return envelope('chatcmpl', 'chat.completion', choices, promptTokens, completionTokens);
    });
  });
}

/**
 * Prompt log-probs for echo, as vLLM reports them: the first token has no context and gets null; every other
 * token is scored given the prompt tokens before it (no artificial start token), so the log-probs of a
 * completion inside an echoed prompt agree with model.logprobs(prompt, completion).
 */
async function echoLogprobs(model: TextModel, prompt: string): Promise<CompletionLogprobs> {
  if (prompt === '') return completionLogprobs([], []);
  const whole = await model.logprobs('', prompt); // split into tokens (scored after a start token)
  const first = whole.tokenTexts[0];
  if (whole.tokenTexts.length >= 2 && whole.tokenTexts.join('') === prompt && first) {
    const rest = await model.logprobs(first, prompt.slice(first.length));
    if (rest.tokenTexts.join('') === prompt.slice(first.length)) return completionLogprobs([first, ...rest.tokenTexts], [null, ...rest.tokens]);
  }
  // Token texts that do not spell the prompt (byte pieces): keep the one-pass scores.
  return completionLogprobs(whole.tokenTexts, whole.tokens.map((lp, i) => (i === 0 ? null : lp)));
}
