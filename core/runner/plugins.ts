// Creates each slot's plugin once per run, lazily, with the ctx of the stage it belongs to.
import type { PluginKind, PluginKinds } from '../contract/kinds.js';
import { createPlugin } from '../registry/instantiate.js';
import type { ResolvedManifest } from '../manifest/validate.js';
import type { StageSlot } from '../manifest/schema.js';
import { join } from 'node:path';
import { stageContext, type RunServices } from './stage-context.js';

export const SLOT_STAGE: Record<StageSlot | 'dataset', string> = {
  dataset: 'dataset',
  generator: 'generate',
  executor: 'execute',
  scorer: 'score',
  pairing: 'pair',
  trainer: 'train',
  evaluator: 'evaluate',
};

export class RunPlugins {
  private readonly instances = new Map<string, Promise<unknown>>();

  constructor(private readonly resolved: ResolvedManifest, private readonly services: RunServices, private readonly runDir: string) {}

  has(slot: StageSlot | 'dataset'): boolean {
    return this.resolved.slots[slot] !== undefined;
  }

  /** "name@version" and config of a slot: what its stage's cache key is made of. */
  identity(slot: StageSlot | 'dataset'): { plugin: string; config: unknown } | undefined {
    const s = this.resolved.slots[slot];
    return s && { plugin: `${s.loaded.plugin.name}@${s.loaded.plugin.version}`, config: s.config };
  }

  get<K extends StageSlot | 'dataset'>(slot: K): Promise<PluginKinds[K & PluginKind]> {
    let pending = this.instances.get(slot);
    if (!pending) {
      const s = this.resolved.slots[slot]!;
      const stage = SLOT_STAGE[slot];
      const ctx = stageContext(this.services, stage, s.loaded.plugin.name, join(this.runDir, 'stages', stage));
      pending = createPlugin(s.kind, s.loaded, s.config, ctx, slot === 'dataset' ? 'dataset' : `stages.${slot}`);
      this.instances.set(slot, pending);
    }
    return pending as Promise<PluginKinds[K & PluginKind]>;
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
