// Plugin files written in TypeScript load directly: under tsx (development, tests) Node already understands
// them. Under plain Node (the built CLI, server workers, an installed package) a `.ts` file goes through
// tsx's global hooks, registered once, so that its `crucible-ml` is the host's own module instance (tsx's
// scoped `tsImport` would evaluate the package once more in its namespace: another CrucibleError class).
// A `.ts` plugin is an ES module whatever its folder's package.json says: compiled to CommonJS (no "type":
// "module"), its `require('crucible-ml')` would miss the resolve hook on Node 20. Only a `.cts` file is
// CommonJS; it goes through `tsImport` (the global hooks fail there on Node 20 with "Cannot require() ES
// Module ... in a cycle").
import { register } from 'node:module';
import { fileURLToPath } from 'node:url';
import { resolvePackageToHost } from './host-package.js';

const TYPESCRIPT_FILE = /\.(?:[cm]?ts|tsx)$/;

// Runs on Node's loader thread, first in the chain: `.ts`/`.tsx` files outside node_modules (a plugin and the
// files it imports) are ES modules; installed packages keep their own package.json's rule.
const ESM_FORMAT_HOOK = `export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  const local = resolved.url.startsWith('file:') && !resolved.url.includes('/node_modules/');
  return local && /\\.tsx?$/.test(new URL(resolved.url).pathname) ? { ...resolved, format: 'module' } : resolved;
}`;

/** True when this process was started with tsx's loader (`node --import tsx`, `tsx file.ts`). */
function underTsx(): boolean {
  const flags = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' ');
  return /(^|[\s=])tsx(\s|$)/.test(flags) || /[\\/]tsx[\\/]/.test(flags);
}

let hooks: Promise<void> | undefined;

/** tsx's global hooks (unless tsx runs this process already), then the ES-module rule for `.ts` files, once. */
function typescriptHooks(): Promise<void> {
  return (hooks ??= (async () => {
    if (!underTsx()) (await import('tsx/esm/api')).register({ tsconfig: false });
    register(`data:text/javascript,${encodeURIComponent(ESM_FORMAT_HOOK)}`);
  })());
}

/** `import(url)`, through tsx when `url` is a TypeScript file and Node cannot load it by itself. */
export async function importModule(url: string): Promise<unknown> {
  resolvePackageToHost();
  const file = fileURLToPath(url);
  if (!TYPESCRIPT_FILE.test(file)) return import(url);
  // No tsconfig: how a plugin file compiles must not depend on the folder the host was started in (the
  // repository's `paths` would also send its `crucible-ml` imports to the sources beside this dist/ copy).
  if (file.endsWith('.cts') && !underTsx()) return (await import('tsx/esm/api')).tsImport(url, { parentURL: import.meta.url, tsconfig: false });
  await typescriptHooks();
  return import(url);
}
