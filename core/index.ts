// The public, plugin-facing API of crucible (`crucible-ml`): the contract, coded errors, and the programmatic
// runner. tsyringe stays inside the core; nothing here exposes it. Importing it installs the built-in plugins.
import './builtins.js';

export * from './kernel/contract/index.js';
export { isCrucibleError, formatDetail } from './kernel/errors.js';
export { PLUGIN_API_VERSION } from './kernel/contract/define-plugin.js';
export { resolveManifest, resolveManifestObject, type ResolvedManifest } from './kernel/manifest/validate.js';
/** Loads and creates plugins through the kernel (validated config, version check) from inside another plugin. */
export { instantiatePlugin } from './kernel/registry/instantiate.js';
export { loadPlugin } from './kernel/registry/load.js';
export { validatePluginConfig } from './kernel/registry/config.js';
export { builtinPlugins, type BuiltinEntry } from './kernel/registry/builtin-table.js';
export { createRun, executeRun } from './store/session.js';
export { splitIds, splitProblems, DEFAULT_SPLIT, type SplitFractions } from './kernel/runner/split.js';
export { RunStore } from './store/run-store.js';
export { deriveSeed } from './kernel/services/rng.js';
