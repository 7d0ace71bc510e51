// The public, documented way for a plugin that hosts other plugins (the queue executor sends an executor spec
// to remote workers) to resolve a spec and to know the built-in names, without reaching into the registry.
import type { PluginKind, PluginKinds } from './kernel/contract/kinds.js';
import type { NestedPluginSpec, PluginContext } from './kernel/contract/context.js';
import { builtinPlugins } from './kernel/registry/builtin-table.js';
import { validatePluginConfig } from './kernel/registry/config.js';
import { createPlugin } from './kernel/registry/instantiate.js';
import { loadPlugin, type LoadedPlugin } from './kernel/registry/load.js';

/** A nested plugin spec as the kernel resolves it: the config validated against the plugin's schema, defaults filled in. */
export interface ResolvedPluginSpec {
  plugin: string;
  config: Record<string, unknown>;
  /** The plugin's version, for cache keys and for checking that a remote host runs the same one. */
  version: string;
}

/**
 * Loads the plugin `spec.plugin` names (short name, package or path relative to `baseDir`) and validates its
 * config exactly as a manifest slot is validated; errors name `path` (e.g. "stages.executor.config.executor").
 */
export async function resolvePluginSpec(kind: PluginKind, spec: NestedPluginSpec, options: { baseDir: string; path: string }): Promise<ResolvedPluginSpec> {
  const loaded = await loadPlugin(kind, spec.plugin, { baseDir: options.baseDir, path: `${options.path}.plugin` });
  const config = validatePluginConfig(loaded.plugin, spec.config ?? {}, `${options.path}.config`) as Record<string, unknown>;
  return { plugin: spec.plugin, config, version: loaded.plugin.version };
}

/** A plugin created outside a run (`crucible exec`, the sandbox server, PluginTester), with what it was made from. */
export interface Instance<K extends PluginKind> {
  api: PluginKinds[K];
  loaded: LoadedPlugin;
  config: unknown;
}

/** Resolves `spec.plugin`, validates `spec.config` (defaults applied) and creates it with `ctx`. */
export async function instantiatePlugin<K extends PluginKind>(kind: K, spec: NestedPluginSpec, ctx: PluginContext, path = `stages.${kind}`): Promise<Instance<K>> {
  const loaded = await loadPlugin(kind, spec.plugin, { baseDir: ctx.baseDir, path: `${path}.plugin` });
  const config = validatePluginConfig(loaded.plugin, spec.config ?? {}, `${path}.config`);
  return { api: await createPlugin(kind, loaded, config, ctx, path), loaded, config };
}

/** Short names of the built-in plugins of one kind. */
export function builtinPluginNames(kind: PluginKind): string[] {
  return builtinPlugins().filter((entry) => entry.kind === kind).map((entry) => entry.name);
}
