// Loading a dataset plugin from the real files in ../shared/data (or another folder) with a test's own cache, and
// the coded error of a load that must fail.
import * as assert from 'uvu/assert';
import { createTestContext, instantiate } from '../../../core/testing/index.js';
import { isCrucibleError, type CrucibleError } from '../../../core/kernel/errors.js';
import type { Dataset } from '../../../core/kernel/contract/kinds.js';
import type { Problem } from '../../../core/kernel/contract/data.js';
import { DATA } from './pyrun.js';

export function datasetLoader(plugin: unknown, cacheDir: string) {
  const load = async (config: Record<string, unknown>, baseDir = DATA): Promise<Problem[]> => {
    const ds = await instantiate<Dataset>(plugin as never, { cacheDir, ...config }, createTestContext({ baseDir }));
    return ds.load();
  };
  const loadError = async (config: Record<string, unknown>, baseDir = DATA): Promise<CrucibleError> => {
    try {
      await load(config, baseDir);
    } catch (error) {
      assert.ok(isCrucibleError(error), String(error));
      return error;
    }
    throw new Error('expected the load to fail');
  };
  return { load, loadError };
}
