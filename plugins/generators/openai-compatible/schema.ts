// The openai-compatible generator's config. Endpoint-dependent defaults (stop strings, post-processing) are
// filled in by resolveOptions, because a JSON Schema default cannot depend on another key.

export const DEFAULT_CHAT_USER_TEMPLATE =
  'Complete the following Python function. Reply with the complete function (signature included) in one ```python code block.\n\n```python\n{prompt}\n```';

/** Codex/HumanEval stop sequences: the end of the function body in a raw completion. */
export const HUMANEVAL_STOP = ['\nclass', '\ndef', '\n#', '\nif', '\nprint'];

export const configSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['baseURL', 'model'],
  properties: {
    baseURL: {
      description: 'OpenAI-compatible base URL(s) ending in /v1; several spread the load and take over from a failing one',
      anyOf: [{ type: 'string', minLength: 1, hostResource: 'url' }, { type: 'array', items: { type: 'string', minLength: 1, hostResource: 'url' }, minItems: 1 }],
    },
    model: { type: 'string', minLength: 1, description: 'the model name the server serves (sent as `model`)' },
    endpoint: { enum: ['completions', 'chat'], default: 'completions', description: 'raw completions (prompt continued as is) or chat messages' },
    promptTemplate: {
      type: 'string',
      default: '{prompt}',
      description: 'completions: the text sent; {prompt}, {entryPoint} and {id} are replaced. "{prompt}" is recorded as completion:raw',
    },
    chat: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'chat: how messages are built from the problem',
      properties: {
        name: { type: 'string', minLength: 1, default: 'default', description: 'recorded as chat:<name>; rename it when you change the template' },
        system: { type: 'string', description: 'optional system message' },
        user: { type: 'string', default: DEFAULT_CHAT_USER_TEMPLATE, description: 'user message; {prompt}, {entryPoint}, {id} are replaced' },
      },
    },
    n: { type: 'integer', minimum: 1, default: 1, description: 'samples per problem (one request each, each with its own derived seed)' },
    temperature: { type: 'number', minimum: 0, default: 0.8 },
    topP: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.95 },
    seed: { type: 'integer', description: 'base seed; default: the run seed. Each sample gets deriveSeed(seed, "<problem id>#<index>")' },
    maxTokens: { type: 'integer', minimum: 1, default: 512 },
    stop: { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 16, description: 'default: HumanEval stops for completions, none for chat' },
    extra: {
      type: 'object',
      default: {},
      description: 'engine parameters passed through into the request body as is (vLLM: top_k, min_p, repetition_penalty, ...)',
    },
    logprobs: { type: 'boolean', default: true, description: 'ask for the sampled tokens\' log-probs (sum recorded per candidate)' },
    postprocess: { enum: ['none', 'extract-code', 'sanitize'], description: 'default: none for completions, extract-code for chat' },
    concurrency: { type: 'integer', minimum: 1, maximum: 1024, default: 8, description: 'requests in flight at once, over all base URLs' },
    timeoutMs: { type: 'integer', minimum: 1, default: 120000, description: 'per request (a timed-out request is retried)' },
    maxRetries: { type: 'integer', minimum: 0, maximum: 20, default: 5, description: 'retries of one request on 429/5xx/network errors/timeouts/malformed answers' },
    retryBaseMs: { type: 'integer', minimum: 0, default: 500, description: 'first backoff; doubles per retry, with full jitter' },
    retryMaxMs: { type: 'integer', minimum: 0, default: 30000, description: 'cap on one wait (Retry-After included)' },
    apiKeyEnv: { type: 'string', minLength: 1, hostResource: 'env-var', description: 'name of the environment variable holding the API key (the key itself never enters the manifest or run folder)' },
    echoMaxTokens: {
      type: 'integer',
      minimum: 0,
      maximum: 1,
      default: 1,
      description: 'max_tokens of the echo request behind logprobs(prompt, completion); 1 (the default) works on engines that refuse 0, and the extra token is ignored',
    },
    cache: { type: 'boolean', default: true, description: 'answers are cached per (model, request, sample index) and never asked again' },
  },
} as const;

export type PostprocessMode = 'none' | 'extract-code' | 'sanitize';
