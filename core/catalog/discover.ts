// Installed plugin packages: every package a manifest in a project's folder can name (in its node_modules or an
// ancestor's, as Node resolves) whose package.json `keywords` contain "crucible-plugin". A manifest names one by
// its package name; `crucible plugins` and GET /v1/plugins list them with their schemas.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const PLUGIN_KEYWORD = 'crucible-plugin';

export interface InstalledPluginPackage {
  /** The package name, which is also the plugin reference a manifest uses. */
  name: string;
  version: string;
  dir: string;
  /** Set when the package's package.json cannot be read (listed, not dropped). */
  error?: string;
}

/** Package folders directly in `node_modules` (scoped ones one level down), sorted by name. */
function packageFolders(nodeModules: string): string[] {
  const folders: string[] = [];
  for (const entry of readdirSync(nodeModules, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || !(entry.isDirectory() || entry.isSymbolicLink())) continue;
    if (!entry.name.startsWith('@')) {
      folders.push(entry.name);
      continue;
    }
    const scope = join(nodeModules, entry.name);
    for (const inner of readdirSync(scope, { withFileTypes: true })) {
      if (inner.isDirectory() || inner.isSymbolicLink()) folders.push(`${entry.name}/${inner.name}`);
    }
  }
  return folders.sort();
}

/** The node_modules folders Node searches from `dir`, nearest first. */
function nodeModulesFolders(dir: string): string[] {
  const folders: string[] = [];
  for (let at = resolve(dir); ; at = dirname(at)) {
    if (existsSync(join(at, 'node_modules'))) folders.push(join(at, 'node_modules'));
    if (dirname(at) === at) return folders;
  }
}

/**
 * The plugin packages a manifest in `projectDir` can name: in its node_modules and its ancestors', where a nearer
 * package hides a farther one of the same name (as Node resolves); none when there is no node_modules.
 */
export function discoverPluginPackages(projectDir: string): InstalledPluginPackage[] {
  const found: InstalledPluginPackage[] = [];
  const seen = new Set<string>();
  for (const nodeModules of nodeModulesFolders(projectDir)) {
    for (const folder of packageFolders(nodeModules)) {
      if (seen.has(folder)) continue;
      seen.add(folder);
      const pkg = pluginPackage(join(nodeModules, folder), folder);
      if (pkg) found.push(pkg);
    }
  }
  return found.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The package in `dir` if its package.json lists the keyword (or cannot be read: it might be a plugin). */
function pluginPackage(dir: string, folder: string): InstalledPluginPackage | undefined {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return undefined;
  let manifest: { name?: unknown; version?: unknown; keywords?: unknown };
  try {
    manifest = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return { name: folder, version: '', dir, error: `${file}: ${(error as Error).message}` };
  }
  if (!Array.isArray(manifest.keywords) || !manifest.keywords.includes(PLUGIN_KEYWORD)) return undefined;
  return { name: typeof manifest.name === 'string' ? manifest.name : folder, version: typeof manifest.version === 'string' ? manifest.version : '', dir };
}
