// Plugin files written in TypeScript load directly: under tsx (development, tests) Node already understands
// them; under plain Node (the built CLI, server workers, an installed package) they are imported through tsx's
// scoped `tsImport`, which also handles a `.ts` file outside any `"type": "module"` package (tsx's global
// register() hook fails there on Node 20 with "Cannot require() ES Module ... in a cycle").
import { resolvePackageToHost } from './host-package.js';

const TYPESCRIPT_FILE = /\.(?:[cm]?ts|tsx)$/;

/** True when this process was started with tsx's loader (`node --import tsx`, `tsx file.ts`). */
function underTsx(): boolean {
  const flags = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' ');
  return /(^|[\s=])tsx(\s|$)/.test(flags) || /[\\/]tsx[\\/]/.test(flags);
}

/** `import(url)`, through tsx when `url` is a TypeScript file and Node cannot load it by itself. */
export async function importModule(url: string): Promise<unknown> {
  resolvePackageToHost();
  if (!TYPESCRIPT_FILE.test(new URL(url).pathname) || underTsx()) return import(url);
  const { tsImport } = await import('tsx/esm/api');
  // No tsconfig: how a plugin file compiles must not depend on the folder the host was started in (the
  // repository's `paths` would also send its `crucible-ml` imports to the sources beside this dist/ copy).
  return tsImport(url, { parentURL: import.meta.url, tsconfig: false });
}
