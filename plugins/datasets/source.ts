// What the file-based dataset plugins (humaneval, mbpp, humaneval-x) share: the `path` and `cacheDir` options,
// where they point, and the rule that a file without records is an error.
import { isAbsolute, resolve } from 'node:path';
import { datasetError } from './python/fields.js';
import { defaultCacheDir } from './python/run.js';

/** The `path` option: the dataset file, relative to the manifest's folder. */
export function pathOption<D extends string>(description: D) {
  return { type: 'string', minLength: 1, hostResource: 'read-path', description } as const;
}

/** The `cacheDir` option: "" is the per-user default, "none" no cache. */
export function cacheDirOption<D extends string>(description: D) {
  return { type: 'string', default: '', hostResource: 'write-path', hostResourceExcept: ['', 'none'], description } as const;
}

/** A path option's file: absolute as given, else relative to the manifest's folder. */
export function datasetFile(path: string, baseDir: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

/** The `maxPlusInputs` option of the datasets with HumanEval+/MBPP+ variants. */
export const MAX_PLUS_INPUTS_OPTION = { type: 'integer', minimum: 0, default: 0, description: 'With plusInputs: at most this many plus inputs per problem (0 = all).' } as const;

/** The dataset file and the cache folder ('' = no cache) a config's `path` and `cacheDir` name. */
export function datasetPaths(config: { path: string; cacheDir: string }, baseDir: string): { file: string; cacheDir: string } {
  return { file: datasetFile(config.path, baseDir), cacheDir: resolveCacheDir(config.cacheDir, baseDir) };
}

export function resolveCacheDir(cacheDir: string, baseDir: string): string {
  if (cacheDir === 'none') return '';
  if (cacheDir === '') return defaultCacheDir();
  return datasetFile(cacheDir, baseDir);
}

/** The file's records, refused when there are none (an empty or wrong file is never an empty dataset). */
export function nonEmpty<R>(records: R[], file: string): R[] {
  if (records.length === 0) throw datasetError({ file }, 'the file holds no records');
  return records;
}
