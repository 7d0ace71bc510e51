// A stage's folder in the run, tied to the stage's cache key, and the shared cache of finished stages.
// stage.json records the key when the stage starts; done.json when it finished. A folder whose key no longer
// matches (the manifest changed) is cleared; a finished stage with the same key in the cache is copied in.
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../util/atomic.js';

export interface StageDir {
  dir: string;
  key: string;
  /** True when the stage already finished (in this run, or in an earlier run through the cache). */
  finished: boolean;
  /** Where the finished output came from: "run" (resumed) or "cache". */
  reused?: 'run' | 'cache';
}

/** `fresh`: the stage reruns from nothing (its folder is cleared, the shared cache is not read). */
export function openStageDir(runDir: string, name: string, key: string, cacheRoot: string | undefined, fresh = false): StageDir {
  const dir = join(runDir, 'stages', name);
  const marker = fresh ? undefined : readMarker(join(dir, 'stage.json'));
  if (fresh || (marker && marker.key !== key)) rmSync(dir, { recursive: true, force: true });
  if (existsSync(join(dir, 'done.json')) && marker?.key === key) return { dir, key, finished: true, reused: 'run' };
  const cached = cacheRoot && !fresh ? join(cacheRoot, 'stages', `${name}-${key.slice(0, 32)}`) : undefined;
  if (cached && existsSync(join(cached, 'done.json'))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(runDir, 'stages'), { recursive: true });
    cpSync(cached, dir, { recursive: true });
    return { dir, key, finished: true, reused: 'cache' };
  }
  mkdirSync(dir, { recursive: true });
  if (!marker || marker.key !== key) writeJsonAtomic(join(dir, 'stage.json'), { name, key, startedAt: new Date().toISOString() });
  return { dir, key, finished: false };
}

/** Marks the stage finished and publishes a copy to the shared cache (atomically, via rename). */
/** `replace`: a fresh rerun's output replaces the cache entry of the same key (it was rerun because it was suspect). */
export function finishStageDir(stage: StageDir, name: string, cacheRoot: string | undefined, summary: Record<string, unknown> = {}, replace = false): void {
  writeJsonAtomic(join(stage.dir, 'done.json'), { key: stage.key, finishedAt: new Date().toISOString(), ...summary });
  if (!cacheRoot) return;
  const target = join(cacheRoot, 'stages', `${name}-${stage.key.slice(0, 32)}`);
  if (!replace && existsSync(join(target, 'done.json'))) return;
  const tmp = `${target}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(join(cacheRoot, 'stages'), { recursive: true });
  cpSync(stage.dir, tmp, { recursive: true });
  rmSync(target, { recursive: true, force: true });
  renameSync(tmp, target);
}

function readMarker(file: string): { key: string } | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { key: string };
  } catch {
    return undefined;
  }
}
