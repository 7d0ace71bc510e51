// JSON Schemas shared by the routes: they validate requests, shape responses, and make the OpenAPI document.
import { RUN_STATES } from '../store/run-index.js';

export const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'details'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        details: {
          type: 'array',
          items: {
            type: 'object',
            required: ['message'],
            properties: { message: { type: 'string' }, path: { type: 'string' }, file: { type: 'string' }, line: { type: 'integer' }, hint: { type: 'string' } },
          },
        },
      },
    },
  },
} as const;

/** Standard error responses, added to every route's `response`. */
export const errorResponses = {
  400: errorSchema,
  401: errorSchema,
  404: errorSchema,
  409: errorSchema,
  413: errorSchema,
  429: errorSchema,
  500: errorSchema,
  507: errorSchema,
} as const;

const freeObject = { type: 'object', additionalProperties: true } as const;
const nullableString = { type: ['string', 'null'] } as const;

export const runIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$' } },
} as const;

export const runSummarySchema = {
  type: 'object',
  required: ['id', 'name', 'state', 'createdAt'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    state: { type: 'string', enum: RUN_STATES },
    createdAt: { type: 'string' },
    startedAt: nullableString,
    finishedAt: nullableString,
    headline: { type: ['object', 'null'], additionalProperties: { type: 'number' } },
    error: { type: ['object', 'null'], properties: { code: { type: 'string' }, message: { type: 'string' } } },
    interrupted: { type: 'boolean' },
    tags: { type: 'array', items: { type: 'string' } },
    metadata: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const;

export const stageSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'status'],
  properties: {
    name: { type: 'string' },
    status: { type: 'string', enum: ['running', 'done'] },
    reused: { type: ['string', 'null'], enum: ['run', 'cache', null], description: 'run = finished earlier in this run (resume), cache = reused from another run' },
    done: { type: ['integer', 'null'] },
    total: { type: ['integer', 'null'] },
    durationMs: { type: ['number', 'null'] },
    message: { type: 'string' },
  },
} as const;

export const runDetailSchema = {
  type: 'object',
  required: [...runSummarySchema.required, 'stages', 'lastSeq'],
  properties: {
    ...runSummarySchema.properties,
    stages: { type: 'array', items: stageSchema },
    lastSeq: { type: 'integer', description: 'the last event sequence number seen; events after it via /events?after=' },
  },
} as const;

export const manifestBodySchema = {
  ...freeObject,
  description: 'an experiment manifest; `extends` names a file in the server\'s manifests folder, relative plugin paths resolve against that folder',
} as const;

export { freeObject };
