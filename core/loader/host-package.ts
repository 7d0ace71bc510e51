// A plugin module that imports `crucible-ml` gets the copy the host runs, whatever its own folder would
// resolve to (the repository's sources under tsconfig paths, a project's own install, nothing at all for a
// loose `.ts` file): one kernel per process, so registries and `instanceof CrucibleError` hold.
import { register } from 'node:module';

const ENTRY_FILES: Record<string, string> = { 'crucible-ml': 'index', 'crucible-ml/util': 'util/index', 'crucible-ml/testing': 'testing/index', 'crucible-ml/training': 'training/index' };

// Runs on Node's loader thread; a data: URL so that it loads the same from sources and from dist/. The mapped
// file goes on through the rest of the chain, so that tsx still compiles it when the host runs from sources.
const HOOK = `let targets = {};
export function initialize(data) { targets = data; }
export function resolve(specifier, context, next) {
  return next(targets[specifier] ?? specifier, context);
}`;

let installed = false;

/** Installs (once) the resolve hook mapping the package's public names to this copy's entry files. */
export function resolvePackageToHost(): void {
  if (installed) return;
  installed = true;
  const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const coreFolder = new URL('../', import.meta.url);
  const targets = Object.fromEntries(Object.entries(ENTRY_FILES).map(([name, file]) => [name, new URL(file + extension, coreFolder).href]));
  register(`data:text/javascript,${encodeURIComponent(HOOK)}`, { data: targets });
}
