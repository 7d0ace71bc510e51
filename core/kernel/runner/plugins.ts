// Creates each slot's plugin once per run, lazily, with the ctx of the stage it belongs to.
import type { PluginKind, PluginKinds } from '../contract/kinds.js';
import { createPlugin } from '../registry/instantiate.js';
import type { ResolvedManifest, RunSlot } from '../manifest/validate.js';
import type { StageSlot } from '../manifest/schema.js';
import { join } from 'node:path';
import { stageContext, type RunServices } from './stage-context.js';

export const SLOT_STAGE: Record<RunSlot, string> = {
  dataset: 'dataset',
  generator: 'generate',
  executor: 'execute',
  scorer: 'score',
  pairing: 'pair',
  trainer: 'train',
  evaluator: 'evaluate',
  baseline: 'baseline',
};

/** The plugin kind each slot holds. */
type SlotKind<K extends RunSlot> = K extends 'baseline' ? 'trainer' : K & PluginKind;

export class RunPlugins {
  private readonly instances = new Map<string, Promise<unknown>>();

  constructor(private readonly resolved: ResolvedManifest, private readonly services: RunServices, private readonly runDir: string) {}

  has(slot: RunSlot): boolean {
    return this.resolved.slots[slot] !== undefined;
  }

  /** "name@version" and config of a slot: what its stage's cache key is made of. */
  identity(slot: RunSlot): { plugin: string; config: unknown } | undefined {
    const s = this.resolved.slots[slot];
    return s && { plugin: `${s.loaded.plugin.name}@${s.loaded.plugin.version}`, config: s.config };
  }

  /**
   * The slot's plugin, created once per run with the ctx of its stage; `stage` asks for an instance bound to
   * another stage of the same slot (a later round's "train.r2"), so what it writes lands in that stage's folder.
   */
  get<K extends RunSlot>(slot: K, stage?: string): Promise<PluginKinds[SlotKind<K>]> {
    const stageName = stage ?? SLOT_STAGE[slot];
    const id = stageName === SLOT_STAGE[slot] ? slot : `${slot}@${stageName}`;
    let pending = this.instances.get(id);
    if (!pending) {
      const s = this.resolved.slots[slot]!;
      const ctx = stageContext(this.services, stageName, s.loaded.plugin.name, join(this.runDir, 'stages', stageName));
      pending = createPlugin(s.kind, s.loaded, s.config, ctx, slot === 'dataset' ? 'dataset' : slot === 'baseline' ? 'rounds.baseline' : `stages.${slot}`);
      this.instances.set(id, pending);
    }
    return pending as Promise<PluginKinds[SlotKind<K>]>;
  }

  /** Versions of every plugin in the run, for the run record. */
  versions(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [slot, s] of Object.entries(this.resolved.slots)) if (s) out[slot] = `${s.loaded.plugin.name}@${s.loaded.plugin.version}`;
    return out;
  }

  async closeAll(): Promise<void> {
    for (const pending of this.instances.values()) {
      try {
        const api = (await pending) as { close?: () => Promise<void> };
        await api.close?.();
      } catch {
        // a plugin that failed to start has nothing to close
      }
    }
  }
}
