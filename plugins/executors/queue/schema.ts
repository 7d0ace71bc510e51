// Config of the `queue` executor: where the queue is, which executor the workers run, and what a worker
// must be to execute this run's batches.
export const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    redis: {
      type: 'string',
      default: '',
      hostResource: 'url',
      hostResourceExcept: [''],
      description: 'Redis URL (redis://[:password@]host:port[/db], rediss:// for TLS); the password is never logged or recorded; empty = `redisEnv`, or redis://127.0.0.1:6379 without it. A server (`crucible serve`) refuses URLs here: its runs name `redisEnv`, a variable the operator passes on',
    },
    redisEnv: {
      type: 'string',
      pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
      hostResource: 'env-var',
      description: 'name of an environment variable holding the Redis URL instead of `redis` (keeps a password out of the manifest and the run folder), e.g. CRUCIBLE_REDIS_URL',
    },
    queue: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$', default: 'exec', description: 'queue name (workers must name the same one)' },
    executor: {
      type: 'object',
      additionalProperties: false,
      default: { plugin: 'python', config: {} },
      hostResource: 'plugin',
      pluginKind: 'executor',
      description: 'the executor the workers run for this run, as in a manifest slot (a built-in, or a plugin the workers allow)',
      properties: {
        plugin: { type: 'string', default: 'python' },
        config: { type: 'object', default: {} },
      },
    },
    batchSize: { type: 'integer', minimum: 1, default: 64, description: 'most candidates per job; a problem with more is cut into batches of even sizes (identical candidates are sent once when the workers\' executor dedupes, and count once)' },
    concurrency: { type: 'integer', minimum: 1, default: 64, description: 'problems the execute stage keeps in flight on the queue' },
    environment: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'what a worker must report to execute this run\'s batches; a worker that differs refuses them (recorded), empty = any',
      properties: {
        sandbox: { type: 'string', enum: ['bwrap', 'off', 'any'], default: 'any' },
        python: { type: 'string', default: '', description: 'version prefix, e.g. "3.11"' },
        node: { type: 'string', default: '', description: 'version prefix, e.g. "20"' },
      },
    },
    attempts: { type: 'integer', minimum: 1, default: 3, description: 'tries of a batch whose worker reported an error (a killed worker\'s batch is retried by stalled-job recovery on top of this)' },
    keepResultsSeconds: { type: 'integer', minimum: 60, default: 604800, description: 'how long finished batches stay in Redis (a resumed run takes them from there)' },
    noWorkerSeconds: { type: 'number', exclusiveMinimum: 0, default: 120, description: 'fail the stage when no live worker accepts this environment for this long' },
  },
} as const;
