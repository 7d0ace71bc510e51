import { builtinPlugins } from './builtin-table.js';
import type { PluginKind } from '../contract/kinds.js';
import { loadPlugin } from './load.js';

export interface PluginDescription {
  kind: PluginKind;
  name: string;
  version: string;
  apiVersion: string;
  description?: string;
  configSchema: unknown;
  source: 'builtin';
  /** Set when the module could not be loaded (reported, not hidden). */
  error?: string;
}

/** Every built-in plugin with its schema; loading failures are listed, not dropped. */
export async function listPlugins(): Promise<PluginDescription[]> {
  const out: PluginDescription[] = [];
  for (const b of builtinPlugins()) {
    try {
      const { plugin } = await loadPlugin(b.kind, b.name, { baseDir: process.cwd() });
      out.push({ kind: plugin.kind, name: plugin.name, version: plugin.version, apiVersion: plugin.apiVersion, description: plugin.description, configSchema: plugin.configSchema, source: 'builtin' });
    } catch (error) {
      out.push({ kind: b.kind, name: b.name, version: '', apiVersion: '', configSchema: null, source: 'builtin', error: (error as Error).message });
    }
  }
  return out;
}
