export { loadPlugin, type LoadedPlugin } from './load.js';
export { createPlugin } from './instantiate.js';
export { validatePluginConfig, ajvDetails } from './config.js';
export { resolveReference, isPathReference, type ResolvedReference } from './resolve.js';
