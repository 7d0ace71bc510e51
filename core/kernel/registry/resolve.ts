// Where a plugin reference points: a built-in short name, a local path, or an npm package name.
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { builtinPlugins, type BuiltinEntry } from './builtin-table.js';
import type { PluginKind } from '../contract/kinds.js';

export type PluginSource = 'builtin' | 'path' | 'package';

export interface ResolvedReference {
  source: PluginSource;
  /** What to import: a file URL. */
  url: string;
  /** The reference as written in the manifest. */
  reference: string;
  builtin?: BuiltinEntry;
}

export function isPathReference(reference: string): boolean {
  return reference.startsWith('./') || reference.startsWith('../') || isAbsolute(reference) || /\.(m?js|ts)$/.test(reference);
}

export function findBuiltin(kind: PluginKind | undefined, name: string): BuiltinEntry | undefined {
  const table = builtinPlugins();
  return table.find((b) => b.name === name && (kind === undefined || b.kind === kind)) ?? table.find((b) => b.name === name);
}

/** Resolves without importing; returns undefined when nothing matches (the caller reports "did you mean"). */
export function resolveReference(kind: PluginKind, reference: string, baseDir: string): ResolvedReference | undefined {
  if (isPathReference(reference)) {
    return { source: 'path', url: pathToFileURL(resolvePath(baseDir, reference)).href, reference };
  }
  const builtin = findBuiltin(kind, reference);
  if (builtin) {
    return { source: 'builtin', url: builtin.url, reference, builtin };
  }
  // An installed package: first as seen from the manifest's folder (the user's project), then from crucible itself.
  for (const from of [join(baseDir, 'noop.js'), import.meta.url]) {
    try {
      const file = createRequire(from).resolve(reference);
      return { source: 'package', url: pathToFileURL(file).href, reference };
    } catch {
      // try the next place
    }
  }
  return undefined;
}
