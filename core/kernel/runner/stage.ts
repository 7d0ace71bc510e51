// The frame around every stage: its cache key, its folder, start/end events, and timing.
import { hashJson } from '../../util/hash.js';
import { finishStageDir, openStageDir, type StageDir } from './stage-dir.js';
import type { RunState } from './run-state.js';
import { cancelledError, readStageRecords } from './stage-context.js';

export async function withStage<T>(
  state: RunState,
  name: string,
  keyParts: unknown,
  body: (stage: StageDir) => Promise<{ value: T; summary?: Record<string, unknown> }>,
): Promise<T> {
  if (state.services.signal.aborted) throw cancelledError();
  const key = hashJson({ stage: name, parts: keyParts });
  state.keys[name] = key;
  const useCache = state.resolved.manifest.output?.cache !== false && !state.cacheOptions.noCache;
  if (state.cacheOptions.fresh === name) state.freshNow = true;
  const stage = openStageDir(state.runDir, name, key, useCache ? state.cacheRoot : undefined, state.freshNow);
  // Facts the stage's plugins recorded when it ran (replay warnings, backends...) come back with its outputs.
  if (stage.finished) for (const [k, v] of Object.entries(readStageRecords(stage.dir))) if (!(k in state.services.records)) state.services.records[k] = v;
  const started = Date.now();
  state.services.events.emitEvent('stage', { stage: name, status: 'start', key, reused: stage.reused ?? null });
  const { value, summary } = await body(stage);
  if (state.services.signal.aborted) throw cancelledError();
  if (!stage.finished) finishStageDir(stage, name, useCache ? state.cacheRoot : undefined, summary, state.freshNow);
  const durationMs = Date.now() - started;
  state.stageLog.push({ stage: name, status: stage.reused ?? 'ran', durationMs });
  state.services.events.emitEvent('stage', { stage: name, status: 'end', reused: stage.reused ?? null, durationMs, ...(summary ?? {}) });
  state.services.events.sync();
  return value;
}
