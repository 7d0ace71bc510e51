// Creates each slot's plugin once per run, lazily, with the ctx of the stage it belongs to.
import type { NestedPlugins } from '../contract/context.js';
import type { PluginKind, PluginKinds } from '../contract/kinds.js';
import { CrucibleError } from '../errors.js';
import { createPlugin } from '../registry/instantiate.js';
import { pluginCodeHash } from '../registry/code-hash.js';
import type { ResolvedManifest, ResolvedSlot, RunSlot } from '../manifest/validate.js';
import type { LoadedPlugin } from '../registry/load.js';
import { RUN_SLOTS } from '../manifest/schema.js';
import { join } from 'node:path';
import { stageContext, type RunServices } from './stage-context.js';

/** The plugin kind each slot holds. */
type SlotKind<K extends RunSlot> = K extends 'baseline' ? 'trainer' : K & PluginKind;

export class RunPlugins {
  private readonly instances = new Map<string, Promise<unknown>>();

  constructor(private readonly resolved: ResolvedManifest, private readonly services: RunServices, private readonly runDir: string) {}

  has(slot: RunSlot): boolean {
    return this.resolved.slots[slot] !== undefined;
  }

  /**
   * What a slot's stage cache key is made of: name@version, a hash of the plugin's code (its module and the files
   * it ships: a changed plugin never reuses old outputs at the same version), its config, and the same for every
   * plugin nested in its config.
   */
  identity(slot: RunSlot): { plugin: string; code: string; config: unknown; nested?: unknown[] } | undefined {
    const s = this.resolved.slots[slot];
    if (!s) return undefined;
    const nested = s.nested.map((n) => ({ path: n.path, plugin: `${n.loaded.plugin.name}@${n.loaded.plugin.version}`, code: pluginCodeHash(n.loaded) }));
    return { plugin: `${s.loaded.plugin.name}@${s.loaded.plugin.version}`, code: pluginCodeHash(s.loaded), config: s.config, ...(nested.length ? { nested } : {}) };
  }

  /**
   * The slot's plugin, created once per run with the ctx of its stage; `stage` asks for an instance bound to
   * another stage of the same slot (a later round's "train.r2"), so what it writes lands in that stage's folder.
   */
  get<K extends RunSlot>(slot: K, stage?: string): Promise<PluginKinds[SlotKind<K>]> {
    const stageName = stage ?? RUN_SLOTS[slot].stage;
    const s = this.resolved.slots[slot]!;
    const id = stageName === RUN_SLOTS[slot].stage ? slot : `${slot}@${stageName}`;
    return this.instance(id, s, { kind: s.kind, loaded: s.loaded, config: s.config, path: RUN_SLOTS[slot].path }, stageName) as Promise<PluginKinds[SlotKind<K>]>;
  }

  /** The plugin at `spec.path`, created once under `id` with a ctx for `stage` whose ctx.plugins are the ones nested in it. */
  private instance(id: string, s: ResolvedSlot, spec: { kind: PluginKind; loaded: LoadedPlugin; config: unknown; path: string }, stage: string): Promise<unknown> {
    let pending = this.instances.get(id);
    if (!pending) {
      const ctx = stageContext(this.services, stage, spec.loaded.plugin.name, join(this.runDir, 'stages', stage), this.nestedFor(s, `${spec.path}.config`, stage));
      pending = createPlugin(spec.kind, spec.loaded, spec.config, ctx, spec.path);
      this.instances.set(id, pending);
    }
    return pending;
  }

  /** ctx.plugins of a plugin whose config sits at `configPath`: only the specs the manifest resolved there. */
  private nestedFor(s: ResolvedSlot, configPath: string, stage: string): NestedPlugins {
    return {
      create: <K extends PluginKind>(kind: K, spec: { plugin: string }, path: string): Promise<PluginKinds[K]> => {
        const full = path.startsWith(`${configPath}.`) ? path : `${configPath}.${path}`;
        const entry = s.nested.find((n) => n.path === full);
        if (!entry || entry.kind !== kind || entry.plugin !== spec.plugin) {
          return Promise.reject(CrucibleError.at('CRUCIBLE_E_PLUGIN_NOT_ALLOWED', {
            path: full,
            message: entry ? `the nested ${kind} plugin "${spec.plugin}" is not the one the manifest resolved here` : `no nested ${kind} plugin was resolved at this path`,
            hint: 'nested plugin specs must sit in a config field marked hostResource: "plugin" (with pluginKind) in the plugin\'s schema',
          }));
        }
        return this.instance(full, s, entry, stage) as Promise<PluginKinds[K]>;
      },
    };
  }

  /** The plugin name in a slot, for errors about what it returned. */
  name(slot: RunSlot): string {
    return this.resolved.slots[slot]?.loaded.plugin.name ?? slot;
  }

  /** Versions of every plugin in the run (nested ones under their config path), for the run record. */
  versions(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [slot, s] of Object.entries(this.resolved.slots)) {
      if (!s) continue;
      out[slot] = `${s.loaded.plugin.name}@${s.loaded.plugin.version}`;
      for (const n of s.nested) out[n.path.replace(/^stages\./, '')] = `${n.loaded.plugin.name}@${n.loaded.plugin.version}`;
    }
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
