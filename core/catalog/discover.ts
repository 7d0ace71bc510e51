// Installed plugin packages: every package in a project's node_modules whose package.json `keywords` contain
// "crucible-plugin". A manifest names one by its package name; `crucible plugins` lists them with their schemas.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

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

/** The plugin packages installed in `projectDir/node_modules`; none when it has no node_modules. */
export function discoverPluginPackages(projectDir: string): InstalledPluginPackage[] {
  const nodeModules = join(projectDir, 'node_modules');
  if (!existsSync(nodeModules)) return [];
  const found: InstalledPluginPackage[] = [];
  for (const folder of packageFolders(nodeModules)) {
    const dir = join(nodeModules, folder);
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    let manifest: { name?: unknown; version?: unknown; keywords?: unknown };
    try {
      manifest = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      // Only a package that could be a plugin matters; an unreadable package.json might be one.
      found.push({ name: folder, version: '', dir, error: `${file}: ${(error as Error).message}` });
      continue;
    }
    if (!Array.isArray(manifest.keywords) || !manifest.keywords.includes(PLUGIN_KEYWORD)) continue;
    found.push({ name: typeof manifest.name === 'string' ? manifest.name : folder, version: typeof manifest.version === 'string' ? manifest.version : '', dir });
  }
  return found;
}
