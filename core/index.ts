// The public, plugin-facing API of crucible (`crucible-ml`): the contract, coded errors, and the programmatic
// runner. tsyringe stays inside the core; nothing here exposes it. Importing it installs the built-in plugins.
import './builtins.js';
import { claimSingleInstance } from './single-instance.js';

claimSingleInstance(new URL('.', import.meta.url).href);

export * from './kernel/contract/index.js';
export { isCrucibleError, formatDetail } from './kernel/errors.js';
export { PLUGIN_API_VERSION } from './kernel/contract/define-plugin.js';
export { resolveManifest, resolveManifestObject, type ResolvedManifest, type PluginPolicy } from './kernel/manifest/validate.js';
/** The hosts' one policy for host resources (files, URLs, programs, isolation): `host: enforceHostPolicy({...})` in a PluginPolicy. */
export { enforceHostPolicy, LOCAL_POLICY, type HostPolicy } from './policy/host-policy.js';
/** For plugins that host other plugins: resolve a nested spec as the kernel does; the built-in names. */
export { resolvePluginSpec, builtinPluginNames, type ResolvedPluginSpec } from './plugin-api.js';
export { createRun, executeRun } from './store/session.js';
export { splitIds, splitProblems, DEFAULT_SPLIT, type SplitFractions } from './pipeline/split.js';
export { RunStore } from './store/run-store.js';
export { deriveSeed } from './util/rng.js';
