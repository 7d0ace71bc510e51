// The programmatic API shared by the CLI and the HTTP server: create a run from a manifest, execute it.
import type { Logger as PinoLogger } from 'pino';
import { CrucibleError } from '../kernel/errors.js';
import { createRootContainer, createRunContainer, type StageCacheOptions } from '../kernel/di/container.js';
import { TOKENS } from '../kernel/di/tokens.js';
import type { ResolvedManifest } from '../kernel/manifest/validate.js';
import type { EventLog, RunEvent } from '../kernel/runner/event-log.js';
import type { RunRecord, RunStore } from './run-store.js';
import type { RunState } from './run-index.js';
import { describeOwner } from './run-owner.js';
import { writeReport } from '../report/index.js';
import '../builtins.js';
import { Runner, type RunOutcome } from '../kernel/runner/runner.js';
import { experimentPipeline } from '../pipeline/experiment.js';
import type { RunResults } from '../pipeline/run-results.js';
import { guardStorage } from './storage-error.js';

export function createRun(store: RunStore, resolved: ResolvedManifest, options: { idempotencyKey?: string; state?: RunState } = {}): RunRecord {
  const manifest = resolved.manifest as unknown as Record<string, unknown> & { name: string };
  return guardStorage(store.root, () => store.create(manifest, { baseDir: resolved.baseDir, sources: resolved.sources, idempotencyKey: options.idempotencyKey, state: options.state }));
}

export interface ExecuteOptions {
  logger: PinoLogger;
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
  /** `noCache`: reuse nothing from the shared cache; `fresh`: rerun this stage and every stage after it. */
  cache?: StageCacheOptions;
  /** The pid that claimed this run for us (a server hands queued runs to the workers it starts). */
  handedOverBy?: number;
}

/**
 * Runs (or resumes: finished stages are skipped, a stage in progress continues) the run `id`. Refuses a run that
 * another live process is executing: two processes writing one run folder would corrupt it.
 */
export async function executeRun(store: RunStore, id: string, options: ExecuteOptions): Promise<RunOutcome> {
  const record = guardStorage(store.root, () => store.load(id));
  const claim = guardStorage(store.root, () => store.index.claim(id, options.handedOverBy));
  if (claim?.heldBy) {
    throw CrucibleError.at('CRUCIBLE_E_RUN_STATE', {
      message: `run ${id} is being executed by ${describeOwner(claim.heldBy)}`,
      hint: `wait for it to finish, or cancel it where it runs (Ctrl-C in its terminal, or POST /v1/runs/${id}/cancel on the server running it)`,
    });
  }
  const root = createRootContainer(store, options.logger, experimentPipeline, (dir, results) => writeReport(dir, results as RunResults));
  const child = guardStorage(store.root, () => createRunContainer(root, record, options.signal ?? new AbortController().signal, options.cache));
  const events = child.resolve<EventLog>(TOKENS.EventLog);
  if (options.onEvent) events.on('event', options.onEvent);
  try {
    return await child.resolve(Runner).run();
  } finally {
    events.close();
  }
}
