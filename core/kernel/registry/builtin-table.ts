// The kernel names no plugin: the host that embeds it (core/builtins.ts for crucible's own CLI and server)
// installs the table of built-in short names here before manifests are resolved.
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
