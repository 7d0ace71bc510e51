// A plugin's create(config, ctx), with its failures wrapped in the plugin's name.
import type { PluginContext } from '../contract/context.js';
import type { PluginKind, PluginKinds } from '../contract/kinds.js';
import { CrucibleError, isCrucibleError } from '../errors.js';
import type { LoadedPlugin } from './load.js';

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
