// Request bodies of the sandbox server (validated by fastify before a handler runs; errors name the JSON path).
export const runCodeBody = {
  type: 'object',
  required: ['code', 'language'],
  properties: {
    code: { type: 'string' },
    language: { type: 'string' },
    stdin: { anyOf: [{ type: 'string' }, { type: 'null' }] },
    run_timeout: { type: 'number', exclusiveMinimum: 0 },
    compile_timeout: { type: 'number' },
    memory_limit_MB: { type: 'number' },
    files: { type: 'object', additionalProperties: { type: 'string' }, maxProperties: 64 },
    fetch_files: { type: 'array', items: { type: 'string' }, maxItems: 64 },
  },
} as const;

const problem = {
  type: 'object',
  required: ['id', 'entryPoint', 'tests'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 200 },
    prompt: { type: 'string', default: '' },
    entryPoint: { type: 'string', minLength: 1 },
    tests: { type: 'array', maxItems: 1000, items: { type: 'object', required: ['id', 'code'], properties: { id: { type: 'string' }, code: { type: 'string' } } } },
    testSetup: { type: 'string' },
    canonicalSolution: { type: 'string' },
    language: { type: 'string', default: 'python' },
    meta: { type: 'object', default: {} },
  },
} as const;

export const executeBody = {
  type: 'object',
  required: ['items'],
  additionalProperties: false,
  properties: {
    items: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['problem', 'candidates'],
        additionalProperties: false,
        properties: {
          problem,
          candidates: { type: 'array', items: { type: 'object', required: ['id', 'code'], properties: { id: { type: 'string' }, code: { type: 'string' } } } },
        },
      },
    },
    executor: { type: 'object', required: ['plugin'], additionalProperties: false, properties: { plugin: { type: 'string' }, config: { type: 'object', default: {} } } },
  },
} as const;
