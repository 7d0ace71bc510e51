// The public `crucible-ml/util` entry: small helpers every plugin needs, the same ones the kernel uses.
import { claimSingleInstance } from '../single-instance.js';

claimSingleInstance(new URL('..', import.meta.url).href);

export { stableStringify, sha256, hashJson, hashFile } from './hash.js';
export { readText, readJsonl, readCompleteJsonl, appendJsonl, toJsonl, type JsonlRecord } from './jsonl.js';
export { writeFileAtomic, writeJsonAtomic } from './atomic.js';
export { SeededRng, deriveSeed } from './rng.js';
export { silentLogger } from './logger.js';
/** The folder of crucible's own package.json (built-in plugins find their bundled files from it). */
export { packageRoot } from './package-root.js';
export { describeJsonSyntaxError } from './json-error.js';
/** The text heuristics of crucible's pairing gates (code or prose, refusal, template, same text). */
export { isRefusal, isTemplate, looksLikeCode, sameText } from './code-text.js';
