// Runs one experiment: resolves its manifest, hands the run to the host's pipeline (core/pipeline/ for crucible's
// experiment), writes results.json and the report, and records the run's state whatever happens.
// tsyringe's decorators need the Reflect polyfill when this module is evaluated, whoever imports it first.
import 'reflect-metadata';
import { inject, injectable } from 'tsyringe';
import { join } from 'node:path';
import { TOKENS } from '../di/tokens.js';
import type { ReportWriter, StageCacheOptions } from '../di/container.js';
import type { RunRecord, RunStorage } from './run-storage.js';
import { CrucibleError, isCrucibleError } from '../errors.js';
import { resolveManifestObject } from '../manifest/validate.js';
import { writeJsonAtomic } from '../../util/atomic.js';
import type { Pipeline, RunResultsBase, RunState } from './run-state.js';
import { RunPlugins } from './plugins.js';
import { RunServices } from './stage-context.js';

export interface RunOutcome {
  state: 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  results?: RunResultsBase & Record<string, unknown>;
  error?: CrucibleError;
  stageLog: RunState['stageLog'];
}

@injectable()
export class Runner {
  constructor(
    @inject(TOKENS.RunStore) private readonly store: RunStorage,
    @inject(TOKENS.ReportWriter) private readonly writeReport: ReportWriter,
    @inject(TOKENS.RunRecord) private readonly record: RunRecord,
    @inject(TOKENS.CacheOptions) private readonly cacheOptions: StageCacheOptions,
    @inject(TOKENS.Pipeline) private readonly pipeline: Pipeline,
    @inject(RunServices) private readonly services: RunServices,
  ) {}

  async run(): Promise<RunOutcome> {
    const { record, store, services } = this;
    const { events } = services;
    const runDir = store.runDir(record.id);
    const startedAt = new Date().toISOString();
    store.setState(record.id, 'RUNNING');
    events.emitEvent('state', { state: 'RUNNING' });
    let plugins: RunPlugins | undefined;
    const stageLog: RunState['stageLog'] = [];
    try {
      const { fresh } = this.cacheOptions;
      if (fresh !== undefined && !this.pipeline.stages.includes(fresh)) {
        throw CrucibleError.at('CRUCIBLE_E_INPUT', { path: 'fresh', message: `unknown stage "${fresh}"`, hint: `stages: ${this.pipeline.stages.join(', ')}` });
      }
      const resolved = await resolveManifestObject(record.manifest, record.baseDir);
      services.runtime = resolved.manifest.runtime;
      plugins = new RunPlugins(resolved, services, runDir);
      const state: RunState = { runId: record.id, runDir, cacheRoot: store.cacheDir, resolved, plugins, services, keys: {}, stageLog, cacheOptions: this.cacheOptions, freshNow: false };
      const { results: measured, headline } = await this.pipeline.run(state);
      const { manifest } = resolved;
      const run = { id: record.id, name: manifest.name, seed: manifest.seed, startedAt, finishedAt: new Date().toISOString(), manifest, plugins: plugins.versions(), records: services.records, stages: stageLog, node: process.version };
      const results = { run, ...measured };
      writeJsonAtomic(join(runDir, 'results.json'), results);
      if (manifest.output?.report !== false) await this.writeReport?.(runDir, results);
      store.setState(record.id, 'SUCCEEDED', { headline, error: null });
      events.emitEvent('state', { state: 'SUCCEEDED', headline });
      return { state: 'SUCCEEDED', results, stageLog };
    } catch (caught) {
      const cancelled = services.signal.aborted;
      const known = store.asStorageError(caught);
      const error = isCrucibleError(known)
        ? known
        : new CrucibleError(cancelled ? 'CRUCIBLE_E_CANCELLED' : 'CRUCIBLE_E_STAGE', (caught as Error)?.message ?? String(caught), [], { cause: caught });
      const final = cancelled && error.code !== 'CRUCIBLE_E_STORAGE' ? 'CANCELLED' : 'FAILED';
      // Each record of the failure is best effort: on a full or read-only disk they fail too, and the run must
      // still stop its plugins (fork-servers) and report the error it met first.
      bestEffort(() => services.logger.error({ err: caught }, `run ${final.toLowerCase()}`));
      bestEffort(() => store.setState(record.id, final, { error: { code: error.code, message: error.message } }));
      bestEffort(() => events.emitEvent('state', { state: final, error: error.toJSON() }));
      return { state: final, error, stageLog };
    } finally {
      await plugins?.closeAll();
      await services.shared.closeAll();
      bestEffort(() => events.sync());
    }
  }
}

function bestEffort(write: () => void): void {
  try {
    write();
  } catch {
    // the storage is failing; the run's outcome already carries the first error
  }
}
