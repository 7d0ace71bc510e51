// What may cross a stage boundary: one JSON Schema per kind's output record, checked by the kernel before a
// plugin's output is written or handed on. A malformed record stops the stage with CRUCIBLE_E_PLUGIN_OUTPUT
// naming the plugin, the problem and the field; nothing malformed is written or dropped silently.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { CrucibleError } from '../errors.js';
import { EXECUTION_STATUSES } from './data.js';
import { KINDS, type PluginKind } from './kinds.js';
import { SUMMARY_SCHEMAS } from './summaries.js';

const nonNegativeInt = { type: 'integer', minimum: 0 } as const;
const unit = { type: 'number', minimum: 0, maximum: 1 } as const;

export const OUTPUT_SCHEMAS = {
  /** One Execution per candidate, in candidate order. */
  executions: {
    type: 'array',
    items: {
      type: 'object',
      required: ['candidateId', 'problemId', 'status', 'passed', 'total', 'passRate', 'tests', 'durationMs'],
      properties: {
        candidateId: { type: 'string' },
        problemId: { type: 'string' },
        status: { enum: [...EXECUTION_STATUSES] },
        passed: nonNegativeInt,
        total: nonNegativeInt,
        passRate: unit,
        tests: { type: 'array', items: { type: 'object', required: ['id', 'outcome'], properties: { id: { type: 'string' }, outcome: { enum: ['pass', 'fail', 'error', 'timeout'] } } } },
        durationMs: { type: 'number', minimum: 0 },
        error: { type: 'string' },
        stderr: { type: 'string' },
      },
    },
  },
  /** One score in [0, 1] per candidate. */
  scores: { type: 'array', items: unit },
  /** TRL's preference format plus crucible's metadata. */
  pairs: {
    type: 'array',
    items: {
      type: 'object',
      required: ['prompt', 'chosen', 'rejected'],
      properties: {
        prompt: { type: 'string' },
        chosen: { type: 'string' },
        rejected: { type: 'string' },
        problemId: { type: 'string' },
        chosenScore: { type: 'number' },
        rejectedScore: { type: 'number' },
        why: { type: 'string' },
      },
    },
  },
  /** A trainer's result: the model it made, its stats, and optional flat metrics and report sections. */
  training: {
    type: 'object',
    required: ['model', 'stats'],
    properties: {
      model: { type: 'object', required: ['kind', 'path'], properties: { kind: { enum: ['policy', 'verifier'] }, path: { type: 'string' }, adapterPath: { type: 'string' } } },
      stats: { type: 'object' },
      metrics: { type: 'object', additionalProperties: { type: 'number' } },
      sections: SUMMARY_SCHEMAS.reportSections,
    },
  },
  /** An evaluator's result: flat headline numbers and free-form details. */
  evaluation: {
    type: 'object',
    required: ['headline', 'details'],
    properties: {
      headline: { type: 'object', additionalProperties: { type: 'number' } },
      details: { type: 'object' },
      summary: SUMMARY_SCHEMAS.evaluationSummary,
      sections: SUMMARY_SCHEMAS.reportSections,
    },
  },
} as const;

export type OutputName = keyof typeof OUTPUT_SCHEMAS;

const NOUN: Record<OutputName, string> = { executions: 'an execution', scores: 'a score', pairs: 'a pair', training: 'a training result', evaluation: 'an evaluation' };
const ajv = new Ajv({ allErrors: false, strict: false });
const validators = new Map<OutputName, ValidateFunction>();

function validatorFor(name: OutputName): ValidateFunction {
  let v = validators.get(name);
  if (!v) validators.set(name, (v = ajv.compile(OUTPUT_SCHEMAS[name])));
  return v;
}

/** "without \"rejected\"", "whose \"status\" must be ...", ...: what is wrong, never the value itself. */
function describe(e: ErrorObject, inArray: boolean): { field: string; problem: string } {
  // Below an array's index for records, below the root for one object (an evaluation, a training result).
  const field = e.instancePath.split('/').slice(inArray ? 2 : 1).map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~')).join('.');
  if (e.keyword === 'required') return { field, problem: `without "${(e.params as { missingProperty: string }).missingProperty}"` };
  return { field, problem: `whose ${field ? `"${field}"` : 'value'} ${e.message ?? 'is invalid'}` };
}

/**
 * Checks `value` against the kind's output schema, plus the count when the stage knows it (one record per
 * candidate). Throws e.g. `pairing plugin "top-vs-bottom" returned a pair without "rejected" for HumanEval/3`.
 */
export function checkOutput(name: OutputName, value: unknown, where: { kind: string; plugin: string; problemId?: string; count?: number }): void {
  const forProblem = where.problemId ? ` for ${where.problemId}` : '';
  const stage = `stages.${where.kind}`;
  if (where.count !== undefined && Array.isArray(value) && value.length !== where.count) {
    throw CrucibleError.at('CRUCIBLE_E_PLUGIN_OUTPUT', {
      path: stage,
      message: `${where.kind} plugin "${where.plugin}" returned ${value.length} ${name} for ${where.count} candidates${forProblem}`,
      hint: `return one ${name === 'scores' ? 'score' : 'execution'} per candidate, in candidate order`,
    });
  }
  const validate = validatorFor(name);
  if (validate(value)) return;
  const e = validate.errors![0];
  const index = e.instancePath.split('/')[1];
  const { problem } = describe(e, Array.isArray(value));
  const which = Array.isArray(value) && index !== undefined ? ` (#${Number(index) + 1})` : '';
  throw CrucibleError.at('CRUCIBLE_E_PLUGIN_OUTPUT', {
    path: stage,
    message: `${where.kind} plugin "${where.plugin}" returned ${NOUN[name]}${which} ${problem}${forProblem}`,
    hint: `see the ${name} schema in crucible's plugin contract (OUTPUT_SCHEMAS.${name})`,
  });
}

/** The kinds whose stage checks records (KINDS[kind].output). */
export type OutputKind = { [K in PluginKind]: (typeof KINDS)[K] extends { output: OutputName } ? K : never }[PluginKind];

/** Checks what a plugin of `kind` returned against its kind's output schema. */
export function checkPluginOutput(kind: OutputKind, value: unknown, where: { plugin: string; problemId?: string; count?: number }): void {
  checkOutput(KINDS[kind].output, value, { kind, ...where });
}
