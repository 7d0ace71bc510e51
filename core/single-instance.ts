// One kernel per process: plugin registries, the builtin table and `instanceof CrucibleError` only work when
// every plugin imports the same copy of crucible-ml as the host. A second copy (sources loaded beside dist/,
// or two installs of the package) fails here, at import, instead of misbehaving later.
import { CrucibleError } from './kernel/errors.js';

const LOADED = Symbol.for('crucible-ml.entry');

/** `coreFolder`: the URL of the core/ folder this copy runs from (sources or dist/core). */
export function claimSingleInstance(coreFolder: string): void {
  const holder = globalThis as { [LOADED]?: string };
  const first = holder[LOADED];
  if (first === undefined) {
    holder[LOADED] = coreFolder;
    return;
  }
  if (first === coreFolder) return;
  throw new CrucibleError('CRUCIBLE_E_KERNEL_TWICE', `crucible-ml was loaded twice in one process: ${first} and ${coreFolder}`, [{
    message: 'a plugin resolved "crucible-ml" to another copy than the host runs',
    hint: 'run from sources with `node --import tsx` in the repository (tsconfig paths), or the built CLI from dist/; a plugin package declares crucible-ml as a peerDependency so it shares the host\'s install',
  }]);
}
