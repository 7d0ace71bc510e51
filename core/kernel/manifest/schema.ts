// The experiment manifest: one file composes the plugins of an experiment.
import type { FromSchema } from 'json-schema-to-ts';
import { KINDS, PLUGIN_KINDS, STAGE_SLOTS, type PluginKind, type StageSlot } from '../contract/kinds.js';

const slot = {
  type: 'object',
  additionalProperties: false,
  required: ['plugin'],
  properties: {
    plugin: { type: 'string', minLength: 1, description: 'built-in name, npm package, or ./local/path.js' },
    config: { type: 'object', default: {} },
  },
} as const;

export { STAGE_SLOTS, type StageSlot };

/** Every plugin slot of a manifest: one per kind, plus the rounds' baseline trainer. */
export type RunSlot = PluginKind | 'baseline';
export interface SlotInfo {
  kind: PluginKind;
  /** The slot's JSON path in the manifest (errors and nested plugin paths start here). */
  path: string;
  /** The stage whose folder its plugin writes to. */
  stage: string;
}
export const RUN_SLOTS: Readonly<Record<RunSlot, SlotInfo>> = {
  ...(Object.fromEntries(PLUGIN_KINDS.map((kind) => [kind, { kind, path: KINDS[kind].slot === 'stages' ? `stages.${kind}` : kind, stage: KINDS[kind].stage }])) as Record<PluginKind, SlotInfo>),
  baseline: { kind: 'trainer', path: 'rounds.baseline', stage: 'baseline' },
};

/** One slot per stage kind (contract/kinds.ts); typed per key so FromSchema sees every slot. */
const stageSlots = Object.fromEntries(STAGE_SLOTS.map((kind) => [kind, slot])) as { readonly [K in StageSlot]: typeof slot };
/** `stages.pairing.gates`: the core's, whatever plugin pairs (applied in core/pipeline/pair-quality.ts). */
const gatesSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  description: 'quality gates crucible applies to the pairs of any pairing plugin, before any trainer',
  properties: {
    minPairs: { type: 'integer', minimum: 0, default: 1, description: 'fail the stage with fewer pairs left' },
    minProblems: { type: 'integer', minimum: 0, default: 1, description: 'fail the stage with pairs from fewer problems' },
    maxDropShare: { type: 'number', minimum: 0, maximum: 1, default: 0.5, description: 'fail the stage when the gates drop a larger share' },
    requireCode: { type: 'boolean', default: true, description: 'drop sides that are prose, not code (off for non-code preference data)' },
    rejectPatterns: { type: 'array', items: { type: 'string' }, default: [], description: 'extra regexes (case-insensitive) marking refusals or templates' },
  },
} as const;

/** The pairing slot also holds the quality gates applied to whatever the plugin pairs. */
const pairingSlot = { ...slot, properties: { ...slot.properties, gates: gatesSchema } } as const;

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
      properties: { ...stageSlots, pairing: pairingSlot },
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
          description: 'a trainer fed the round-1 samples as labelled samples (e.g. a fine-tuning trainer on the passing samples: rejection-sampling fine-tuning), evaluated beside the rounds',
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
