// Loading + config validation + create, with create's failures wrapped in the plugin's name.
import type { PluginContext } from '../contract/context.js';
import type { PluginKind, PluginKinds } from '../contract/kinds.js';
import { CrucibleError, isCrucibleError } from '../errors.js';
import { validatePluginConfig } from './config.js';
import { loadPlugin, type LoadedPlugin } from './load.js';

export interface PluginSpec {
  plugin: string;
  config?: unknown;
}

export interface Instance<K extends PluginKind> {
  api: PluginKinds[K];
  loaded: LoadedPlugin;
  config: unknown;
}

export async function createPlugin<K extends PluginKind>(
  kind: K,
  loaded: LoadedPlugin,
  config: unknown,
  ctx: PluginContext,
  path = `stages.${kind}`,
): Promise<PluginKinds[K]> {
  const { plugin } = loaded;
  try {
    return (await plugin.create(config, ctx)) as PluginKinds[K];
  } catch (error) {
    if (isCrucibleError(error)) throw error;
    throw CrucibleError.at(
      'CRUCIBLE_E_PLUGIN_CREATE',
      { path, message: `${kind} plugin "${plugin.name}@${plugin.version}" failed to start: ${(error as Error)?.message ?? String(error)}` },
      { cause: error },
    );
  }
}

/** Resolves `spec.plugin`, validates `spec.config` (defaults applied) and creates it: what nested plugins (a judge) use too. */
export async function instantiatePlugin<K extends PluginKind>(
  kind: K,
  spec: PluginSpec,
  ctx: PluginContext,
  path = `stages.${kind}`,
): Promise<Instance<K>> {
  const loaded = await loadPlugin(kind, spec.plugin, { baseDir: ctx.baseDir, path: `${path}.plugin` });
  const config = validatePluginConfig(loaded.plugin, spec.config ?? {}, `${path}.config`);
  const api = await createPlugin(kind, loaded, config, ctx, path);
  return { api, loaded, config };
}
