// Where a trainer writes its artifact, the same rule for every trainer: an absolute `output` as given, a
// relative one inside the stage folder (never the manifest's folder: reruns and other runs must not
// overwrite each other's models), and the trainer's default name inside the stage folder when absent.
import { isAbsolute } from 'node:path';
import type { PluginContext } from '../kernel/contract/index.js';

export function trainerOutput(ctx: Pick<PluginContext, 'files'>, output: string | undefined, fallback: string): string {
  if (output && isAbsolute(output)) return output;
  return ctx.files.path(output ?? fallback);
}
