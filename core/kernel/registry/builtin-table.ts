// What the host that embeds the kernel installs into the registry before manifests are resolved (core/builtins.ts
// for crucible's own CLI, server and programmatic API): the table of built-in short names (the kernel names no
// plugin) and how plugin modules are imported (the host's loader: TypeScript files, crucible-ml mapped to the
// host's own copy).
import type { PluginKind } from '../contract/kinds.js';

export interface BuiltinEntry {
  kind: PluginKind;
  name: string;
  /** The importable URL of the module; its default export is the plugin definition. */
  url: string;
}

let table: readonly BuiltinEntry[] = [];

/** Replaces the table of built-in plugins (short name -> module). */
export function installBuiltins(entries: readonly BuiltinEntry[]): void {
  table = entries;
}

export function builtinPlugins(): readonly BuiltinEntry[] {
  return table;
}

let importer: (url: string) => Promise<unknown> = (url) => import(url);

/** Replaces how plugin modules are imported (plain `import()` until a host installs its loader). */
export function installModuleImporter(importModule: (url: string) => Promise<unknown>): void {
  importer = importModule;
}

export function importPluginModule(url: string): Promise<unknown> {
  return importer(url);
}
