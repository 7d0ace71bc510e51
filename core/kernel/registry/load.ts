// Imports a plugin module lazily and checks it before anything runs: shape, kind, plugin API version.
import semver from 'semver';
import { closest, distance } from 'fastest-levenshtein';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { builtinPlugins, importPluginModule } from './builtin-table.js';
import { PLUGIN_API_VERSION, type AnyPlugin } from '../contract/define-plugin.js';
import { PLUGIN_KINDS, type PluginKind } from '../contract/kinds.js';
import { CrucibleError } from '../errors.js';
import { resolveReference, type ResolvedReference } from './resolve.js';

export interface LoadedPlugin {
  plugin: AnyPlugin;
  resolved: ResolvedReference;
}

const moduleCache = new Map<string, Promise<unknown>>();

export function suggestion(kind: PluginKind, name: string): string | undefined {
  const sameKind = builtinPlugins().filter((b) => b.kind === kind).map((b) => b.name);
  if (sameKind.length === 0) return undefined;
  const best = closest(name, sameKind);
  const known = `built-in ${kind} plugins: ${sameKind.join(', ')}`;
  return distance(name, best) <= Math.max(2, Math.floor(best.length / 3)) ? `did you mean "${best}"? ${known}` : known;
}

export async function loadPlugin(kind: PluginKind, reference: string, options: { baseDir: string; path?: string; file?: string }): Promise<LoadedPlugin> {
  const where = { path: options.path, file: options.file };
  const resolved = resolveReference(kind, reference, options.baseDir);
  if (!resolved) {
    throw CrucibleError.at('CRUCIBLE_E_PLUGIN_NOT_FOUND', { ...where, message: `unknown ${kind} plugin "${reference}"`, hint: suggestion(kind, reference) });
  }
  // The table knows a built-in's kind: no need to import it to report a wrong kind.
  if (resolved.builtin && resolved.builtin.kind !== kind) {
    throw CrucibleError.at('CRUCIBLE_E_PLUGIN_KIND', { ...where, message: `"${reference}" is a ${resolved.builtin.kind} plugin, not a ${kind} plugin`, hint: suggestion(kind, reference) });
  }
  if (resolved.source === 'path' && !existsSync(fileURLToPath(resolved.url))) {
    throw CrucibleError.at('CRUCIBLE_E_PLUGIN_NOT_FOUND', { ...where, message: `plugin file not found: ${fileURLToPath(resolved.url)}`, hint: 'paths resolve relative to the manifest file' });
  }
  let mod: unknown;
  try {
    let pending = moduleCache.get(resolved.url);
    if (!pending) {
      pending = importPluginModule(resolved.url);
      moduleCache.set(resolved.url, pending);
    }
    mod = await pending;
  } catch (error) {
    moduleCache.delete(resolved.url);
    throw CrucibleError.at('CRUCIBLE_E_PLUGIN_INVALID', { ...where, message: `cannot load plugin "${reference}": ${(error as Error).message}` }, { cause: error });
  }
  let exported = (mod as { default?: unknown }).default ?? (mod as { plugin?: unknown }).plugin;
  // A `.ts` file outside an ESM package is compiled as CommonJS: its `export default` arrives one level down.
  if (exported && typeof exported === 'object' && !('kind' in exported) && 'default' in exported) exported = (exported as { default: unknown }).default;
  const plugin = exported as AnyPlugin | undefined;
  checkShape(plugin, reference, where);
  if (plugin.kind !== kind) {
    throw CrucibleError.at('CRUCIBLE_E_PLUGIN_KIND', {
      ...where,
      message: `"${reference}" is a ${plugin.kind} plugin, not a ${kind} plugin`,
      hint: suggestion(kind, reference),
    });
  }
  if (!semver.validRange(plugin.apiVersion) || !semver.satisfies(PLUGIN_API_VERSION, plugin.apiVersion)) {
    throw CrucibleError.at('CRUCIBLE_E_PLUGIN_VERSION', {
      ...where,
      message: `plugin "${plugin.name}@${plugin.version}" needs plugin API ${plugin.apiVersion}, this crucible provides ${PLUGIN_API_VERSION}`,
      hint: 'upgrade crucible or install a version of the plugin made for this API',
    });
  }
  return { plugin, resolved };
}

function checkShape(plugin: AnyPlugin | undefined, reference: string, where: { path?: string; file?: string }): asserts plugin is AnyPlugin {
  const problems: string[] = [];
  if (!plugin || typeof plugin !== 'object') problems.push('the module has no default export made with definePlugin()');
  else {
    if (!PLUGIN_KINDS.includes(plugin.kind)) problems.push(`kind must be one of ${PLUGIN_KINDS.join(', ')}`);
    for (const key of ['name', 'version', 'apiVersion'] as const) if (typeof plugin[key] !== 'string') problems.push(`${key} must be a string`);
    if (typeof plugin.version === 'string' && !semver.valid(plugin.version)) problems.push(`version "${plugin.version}" is not semver`);
    if (!plugin.configSchema || typeof plugin.configSchema !== 'object') problems.push('configSchema must be a JSON Schema object');
    if (typeof plugin.create !== 'function') problems.push('create must be a function');
  }
  if (problems.length) {
    throw CrucibleError.at('CRUCIBLE_E_PLUGIN_INVALID', { ...where, message: `"${reference}" is not a valid plugin: ${problems.join('; ')}` });
  }
}
