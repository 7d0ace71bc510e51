// The services of one run, built once by the run's DI container, and the ctx a plugin receives for one stage.
// tsyringe's decorators need the Reflect polyfill when this module is evaluated, whoever imports it first.
import 'reflect-metadata';
import { inject, injectable } from 'tsyringe';
import type { Logger as PinoLogger } from 'pino';
import type { Clock, NestedPlugins, PluginContext, ProgressReporter } from '../contract/context.js';
import { CrucibleError } from '../errors.js';
import { TOKENS } from '../di/tokens.js';
import type { DiskCache } from '../services/cache.js';
import type { SeededRng } from '../../util/rng.js';
import type { RunSharedServices } from '../services/shared.js';
import { stageFiles } from '../services/stage-files.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../util/atomic.js';
import type { RunRecord } from './run-storage.js';
import { StageProgress } from './progress.js';
import type { EventLog } from './event-log.js';

/** What the stages and the plugins' ctx draw on: resolved from the run's container, shared by every stage. */
@injectable()
export class RunServices {
  /** Facts recorded with the run (backend, prompt format, ...), written into results.json. */
  readonly records: Record<string, unknown> = {};
  /** The manifest's runtime section, handed to every plugin as ctx.runtime (set once the manifest is resolved). */
  runtime?: { backend?: string };
  readonly baseDir: string;

  constructor(
    @inject(TOKENS.Logger) readonly logger: PinoLogger,
    @inject(TOKENS.Cache) readonly cache: DiskCache,
    @inject(TOKENS.Rng) readonly rng: SeededRng,
    @inject(TOKENS.EventLog) readonly events: EventLog,
    @inject(TOKENS.Signal) readonly signal: AbortSignal,
    @inject(TOKENS.Clock) readonly clock: Clock,
    @inject(TOKENS.Shared) readonly shared: RunSharedServices,
    @inject(TOKENS.RunRecord) record: RunRecord,
  ) {
    this.baseDir = record.baseDir;
  }

  /** A progress reporter for one stage (events into the run's event log). */
  progressFor(stage: string): ProgressReporter {
    return new StageProgress(stage, this.events);
  }
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
    seed: services.rng.seed,
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
