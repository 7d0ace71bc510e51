// Runs one experiment: load -> split -> generate -> execute -> score -> pair -> train -> evaluate -> report.
// Each stage is optional where the manifest omits it; each is cached and resumable (see stage.ts).
import { inject, injectable } from 'tsyringe';
import { TOKENS } from '../di/tokens.js';
import type { ReportWriter, StageCacheOptions } from '../di/container.js';
import type { RunRecord, RunStorage } from './run-storage.js';
import { CrucibleError, isCrucibleError } from '../errors.js';
import { resolveManifestObject } from '../manifest/validate.js';
import type { PipelineState } from './pipeline-state.js';
import { RunPlugins } from './plugins.js';
import { RunServices } from './stage-context.js';
import { datasetStage, executeStage, generateStage, scoreStage, splitStage } from './stages-sample.js';
import { evaluateStage, pairStage, trainStage } from './stages-learn.js';
import { buildResults, headlineOf, writeResults, type RunResultsFile } from './results.js';
import { runRounds } from './rounds.js';

export interface RunOutcome {
  state: 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  results?: RunResultsFile;
  error?: CrucibleError;
  stageLog: PipelineState['stageLog'];
}

@injectable()
export class Runner {
  constructor(
    @inject(TOKENS.RunStore) private readonly store: RunStorage,
    @inject(TOKENS.ReportWriter) private readonly writeReport: ReportWriter,
    @inject(TOKENS.RunRecord) private readonly record: RunRecord,
    @inject(TOKENS.CacheOptions) private readonly cacheOptions: StageCacheOptions,
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
    const stageLog: PipelineState['stageLog'] = [];
    try {
      const resolved = await resolveManifestObject(record.manifest, record.baseDir);
      services.runtime = resolved.manifest.runtime ?? {};
      plugins = new RunPlugins(resolved, services, runDir);
      const state = { runId: record.id, runDir, cacheRoot: store.cacheDir, resolved, plugins, services, keys: {}, stageLog, cacheOptions: this.cacheOptions, freshNow: false } as unknown as PipelineState;
      const slots = resolved.manifest.stages ?? {};
      const external = Boolean(resolved.manifest.inputs?.preferences);
      await datasetStage(state);
      await splitStage(state);
      const rounds = resolved.manifest.rounds;
      if (rounds && !external) {
        await runRounds(state, rounds);
      } else {
        if (slots.generator && !external) await generateStage(state);
        if (slots.executor && state.candidates) await executeStage(state);
        if (slots.scorer && state.candidates) await scoreStage(state);
        if (slots.pairing && state.scores) await pairStage(state);
        if (slots.trainer) await trainStage(state);
      }
      if (slots.evaluator) await evaluateStage(state);
      const results = buildResults(state, { startedAt, versions: plugins.versions() });
      await writeResults(runDir, results, resolved.manifest.output?.report !== false ? this.writeReport : undefined);
      store.setState(record.id, 'SUCCEEDED', { headline: headlineOf(results), error: null });
      events.emitEvent('state', { state: 'SUCCEEDED', headline: headlineOf(results) });
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
