// Builds the ctx a plugin receives for one stage of one run.
import type { Logger as PinoLogger } from 'pino';
import type { Clock, NestedPlugins, PluginContext, ProgressReporter, SharedServices } from '../contract/context.js';
import { CrucibleError } from '../errors.js';
import type { DiskCache } from '../services/cache.js';
import type { SeededRng } from '../services/rng.js';
import { stageFiles } from '../services/stage-files.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../util/atomic.js';
import type { EventLog } from './event-log.js';

export interface RunServices {
  logger: PinoLogger;
  cache: DiskCache;
  rng: SeededRng;
  seed: number;
  events: EventLog;
  signal: AbortSignal;
  baseDir: string;
  /** The manifest's runtime section, handed to every plugin as ctx.runtime. */
  runtime?: { backend?: string };
  clock: Clock;
  /** A progress reporter for one stage (events into the run's event log). */
  progressFor(stage: string): ProgressReporter;
  /** Facts recorded with the run (backend, prompt format, ...), written into results.json. */
  records: Record<string, unknown>;
  shared: SharedServices;
}

export const STAGE_RECORDS_FILE = 'records.json';

function saveStageRecord(dir: string, key: string, value: unknown): void {
  const file = join(dir, STAGE_RECORDS_FILE);
  writeJsonAtomic(file, { ...readStageRecords(dir), [key]: value });
}

/** What plugins recorded while the stage in `dir` ran ({} when nothing). */
export function readStageRecords(dir: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(join(dir, STAGE_RECORDS_FILE), 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

export function cancelledError(): CrucibleError {
  return new CrucibleError('CRUCIBLE_E_CANCELLED', 'the run was cancelled');
}

export function stageContext(services: RunServices, stage: string, pluginName: string, dir: string, plugins: NestedPlugins): PluginContext {
  const { events, signal } = services;
  return {
    logger: services.logger.child({ stage, plugin: pluginName }),
    cache: services.cache.scoped(pluginName),
    rng: services.rng.fork(stage),
    seed: services.seed,
    progress: services.progressFor(stage),
    clock: services.clock,
    signal,
    files: stageFiles(dir),
    baseDir: services.baseDir,
    runtime: services.runtime,
    plugins,
    shared: services.shared,
    events: {
      metric: (name, values, step) => events.emitEvent('metric', { stage, name, values, step }),
      record: (key, value) => {
        services.records[key] = value;
        // Kept with the stage's outputs, so a resumed run (or one reusing the stage from the cache) still has it.
        saveStageRecord(dir, key, value);
        events.emitEvent('record', { stage, key, value });
      },
    },
    throwIfCancelled: () => {
      if (signal.aborted) throw cancelledError();
    },
  };
}
