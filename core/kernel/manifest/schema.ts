// The experiment manifest: one file composes the plugins of an experiment.
import type { FromSchema } from 'json-schema-to-ts';

const slot = {
  type: 'object',
  additionalProperties: false,
  required: ['plugin'],
  properties: {
    plugin: { type: 'string', minLength: 1, description: 'built-in name, npm package, or ./local/path.js' },
    config: { type: 'object', default: {} },
  },
} as const;

export const STAGE_SLOTS = ['generator', 'executor', 'scorer', 'pairing', 'trainer', 'evaluator'] as const;
export type StageSlot = (typeof STAGE_SLOTS)[number];

export const manifestSchema = {
  $id: 'https://crucible.dev/schemas/manifest.json',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'dataset'],
  properties: {
    $schema: { type: 'string' },
    name: { type: 'string', minLength: 1, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' },
    description: { type: 'string' },
    extends: { type: 'string', description: 'a manifest this one extends (path relative to this file)' },
    seed: { type: 'integer', minimum: 0, default: 42 },
    dataset: {
      type: 'object',
      additionalProperties: false,
      required: ['plugin'],
      properties: {
        plugin: { type: 'string', minLength: 1 },
        config: { type: 'object', default: {} },
        split: {
          type: 'object',
          additionalProperties: false,
          properties: {
            train: { type: 'number', minimum: 0, maximum: 1, default: 0.5 },
            val: { type: 'number', minimum: 0, maximum: 1, default: 0.2 },
            test: { type: 'number', minimum: 0, maximum: 1, default: 0.3 },
          },
          default: {},
        },
        limit: { type: 'integer', minimum: 1, description: 'use only the first N problems (by id) — for smoke runs' },
      },
    },
    inputs: {
      type: 'object',
      additionalProperties: false,
      properties: {
        preferences: { type: 'string', hostResource: 'read-path', description: 'train from this preference JSONL ({prompt, chosen, rejected}) instead of generating' },
      },
      default: {},
    },
    stages: {
      type: 'object',
      additionalProperties: false,
      properties: {
        generator: slot,
        executor: slot,
        scorer: slot,
        pairing: slot,
        trainer: slot,
        evaluator: slot,
      },
      default: {},
    },
    generation: {
      type: 'object',
      additionalProperties: false,
      properties: {
        splits: {
          type: 'array',
          items: { enum: ['train', 'val'] },
          default: ['train', 'val'],
          description: 'splits sampled for training data (test problems are only ever seen by the evaluator)',
        },
      },
      default: {},
    },
    rounds: {
      type: 'object',
      additionalProperties: false,
      required: ['count'],
      description: 'iterative on-policy training: round k samples from the policy trained in round k-1, executes, scores, pairs and trains (docs: README "Rounds")',
      properties: {
        count: { type: 'integer', minimum: 1, maximum: 20 },
        reference: { enum: ['round-start', 'base'], default: 'round-start', description: 'the frozen reference of round k: its starting policy, or the base model' },
        keep: { enum: ['last', 'best'], default: 'last', description: 'the policy evaluated as "trained": the last round\'s, or the round with the best pass@1 on the selection split' },
        selectOn: { type: 'string', default: 'val', description: 'split that decides `keep: "best"` (the test split is refused)' },
        evaluateRounds: { type: 'boolean', default: true, description: 'evaluate every round\'s policy (and the baseline) on the test split beside base and trained' },
        baseline: {
          ...slot,
          description: 'a trainer fed the round-1 samples as labelled samples (e.g. sft with samples "passing": rejection-sampling fine-tuning), evaluated beside the rounds',
        },
      },
    },
    runtime: {
      type: 'object',
      additionalProperties: false,
      properties: {
        backend: {
          enum: ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'],
          description: 'compute backend of in-process models, unless a plugin config sets its own (docs/gpu.md)',
        },
      },
      default: {},
    },
    output: {
      type: 'object',
      additionalProperties: false,
      properties: {
        report: { type: 'boolean', default: true },
        cache: { type: 'boolean', default: true, description: 'reuse stage outputs of earlier runs with the same inputs' },
      },
      default: {},
    },
  },
} as const;

export type Manifest = FromSchema<typeof manifestSchema>;
export interface SlotSpec {
  plugin: string;
  config: Record<string, unknown>;
}
