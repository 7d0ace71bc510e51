// Plugin files written in TypeScript load directly: under tsx (development, tests) Node already understands
// them. Under plain Node (the built CLI, server workers, an installed package) an ES-module `.ts` file goes
// through tsx's global hooks, registered once, so that its `crucible-ml` is the host's own module instance
// (tsx's scoped `tsImport` would evaluate the package once more in its namespace: another CrucibleError
// class). A `.ts` file outside any `"type": "module"` package compiles to CommonJS and goes through
// `tsImport`, which handles it (the global hooks fail there on Node 20 with "Cannot require() ES Module ...
// in a cycle").
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolvePackageToHost } from './host-package.js';

const TYPESCRIPT_FILE = /\.(?:[cm]?ts|tsx)$/;

/** True when this process was started with tsx's loader (`node --import tsx`, `tsx file.ts`). */
function underTsx(): boolean {
  const flags = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' ');
  return /(^|[\s=])tsx(\s|$)/.test(flags) || /[\\/]tsx[\\/]/.test(flags);
}

/** Whether Node treats the file as an ES module: `.mts`, or `.ts` under a package.json with "type": "module". */
function isEsModule(file: string): boolean {
  if (file.endsWith('.mts')) return true;
  if (file.endsWith('.cts')) return false;
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: unknown }).type === 'module';
      } catch {
        return false; // Node itself reports the malformed package.json when it loads the file
      }
    }
    if (dirname(dir) === dir) return false;
  }
}

let globalHooks: Promise<unknown> | undefined;

/** `import(url)`, through tsx when `url` is a TypeScript file and Node cannot load it by itself. */
export async function importModule(url: string): Promise<unknown> {
  resolvePackageToHost();
  const file = fileURLToPath(url);
  if (!TYPESCRIPT_FILE.test(file) || underTsx()) return import(url);
  const api = await import('tsx/esm/api');
  // No tsconfig: how a plugin file compiles must not depend on the folder the host was started in (the
  // repository's `paths` would also send its `crucible-ml` imports to the sources beside this dist/ copy).
  if (isEsModule(file)) {
    await (globalHooks ??= Promise.resolve(api.register({ tsconfig: false })));
    return import(url);
  }
  return api.tsImport(url, { parentURL: import.meta.url, tsconfig: false });
}
