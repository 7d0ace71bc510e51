// What `crucible plugins` and GET /v1/plugins list: the built-ins and the plugin packages installed in the project
// (discover.ts), each with kind, version and config schema.
import { builtinPlugins } from '../kernel/registry/builtin-table.js';
import { PLUGIN_KINDS, type PluginKind } from '../kernel/contract/kinds.js';
import { discoverPluginPackages } from './discover.js';
import { loadPlugin } from '../kernel/registry/load.js';
import { importModule } from '../loader/typescript.js';
import { CrucibleError, isCrucibleError } from '../kernel/errors.js';
import { resolveReference } from '../kernel/registry/resolve.js';

export interface PluginDescription {
  kind: PluginKind | 'unknown';
  name: string;
  version: string;
  apiVersion: string;
  description?: string;
  configSchema: unknown;
  source: 'builtin' | 'package';
  /** For an installed package: its package name, which a manifest uses as the plugin reference. */
  package?: string;
  /** With `allowedPackages` (a server): whether a submitted manifest may name this package. */
  allowed?: boolean;
  /** Set when the module could not be loaded (reported, not hidden). */
  error?: string;
}

const describe = (plugin: { kind: PluginKind; name: string; version: string; apiVersion: string; description?: string; configSchema: unknown }) => ({
  kind: plugin.kind, name: plugin.name, version: plugin.version, apiVersion: plugin.apiVersion, description: plugin.description, configSchema: plugin.configSchema,
});

export interface ListOptions {
  /** Also list the plugin packages a manifest in this folder can name. */
  projectDir?: string;
  /**
   * A server's allowlist: packages outside it are listed by name and version only, never imported (listing
   * must not run code the operator did not allow), and every package carries `allowed`.
   */
  allowedPackages?: readonly string[];
}

/**
 * Every built-in plugin with its schema, then (with `projectDir`) the plugin packages installed for that
 * project; loading failures are listed, not dropped.
 */
export async function listPlugins(options: ListOptions = {}): Promise<PluginDescription[]> {
  const out: PluginDescription[] = [];
  for (const b of builtinPlugins()) {
    try {
      const { plugin } = await loadPlugin(b.kind, b.name, { baseDir: process.cwd() });
      out.push({ ...describe(plugin), source: 'builtin' });
    } catch (error) {
      out.push({ kind: b.kind, name: b.name, version: '', apiVersion: '', configSchema: null, source: 'builtin', error: (error as Error).message });
    }
  }
  if (options.projectDir === undefined) return out;
  const allowlist = options.allowedPackages;
  for (const pkg of discoverPluginPackages(options.projectDir)) {
    const allowed = allowlist === undefined ? {} : { allowed: allowlist.includes(pkg.name) };
    let kind: PluginDescription['kind'] = 'unknown';
    const listed = { kind, name: pkg.name, version: pkg.version, apiVersion: '', configSchema: null, source: 'package' as const, package: pkg.name, ...allowed };
    const failed = (error: string): PluginDescription => ({ ...listed, kind, error });
    if (pkg.error) {
      out.push(failed(pkg.error));
      continue;
    }
    if (allowed.allowed === false) {
      out.push(listed);
      continue;
    }
    try {
      kind = await kindOf(pkg.name, options.projectDir);
      const { plugin } = await loadPlugin(kind, pkg.name, { baseDir: options.projectDir });
      out.push({ ...describe(plugin), source: 'package', package: pkg.name, ...allowed });
    } catch (error) {
      out.push(failed(isCrucibleError(error) ? `${error.code}: ${error.message}` : (error as Error).message));
    }
  }
  return out;
}

/** The kind a package's plugin declares (loadPlugin then checks everything else against it). */
async function kindOf(packageName: string, projectDir: string): Promise<PluginKind> {
  const resolved = resolveReference('dataset', packageName, projectDir);
  if (!resolved) throw new CrucibleError('CRUCIBLE_E_PLUGIN_NOT_FOUND', `the package "${packageName}" cannot be resolved from ${projectDir} (check its "exports")`);
  const mod = (await importModule(resolved.url)) as { default?: { kind?: unknown } };
  const kind = mod.default?.kind;
  if (typeof kind !== 'string' || !PLUGIN_KINDS.includes(kind as PluginKind)) {
    throw new CrucibleError('CRUCIBLE_E_PLUGIN_INVALID', `the package "${packageName}" has no default export made with definePlugin() (its kind must be one of ${PLUGIN_KINDS.join(', ')})`);
  }
  return kind as PluginKind;
}
