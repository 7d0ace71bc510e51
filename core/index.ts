// The public, plugin-facing API of crucible: the contract, coded errors, and the programmatic runner.
// tsyringe stays inside the core; nothing here exposes it.
export * from './contract/index.js';
export { PLUGIN_API_VERSION } from './contract/define-plugin.js';
export { resolveManifest, resolveManifestObject, type ResolvedManifest } from './manifest/validate.js';
export { createRun, executeRun } from './runner/session.js';
export { splitIds, splitProblems, DEFAULT_SPLIT } from './runner/split.js';
export { RunStore } from './store/run-store.js';
export { deriveSeed } from './services/rng.js';
