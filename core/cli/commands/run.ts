import type { Command } from 'commander';
import { resolveManifest } from '../../kernel/manifest/validate.js';
import { createRun, executeRun } from '../../store/session.js';
import { createLogger } from '../../util/logger.js';
import { STAGE_NAMES } from '../../pipeline/experiment.js';
import type { StageCacheOptions } from '../../kernel/di/container.js';
import { CrucibleError } from '../../kernel/errors.js';
import { closest } from 'fastest-levenshtein';
import type { RunStore } from '../../store/run-store.js';
import { join } from 'node:path';
import { ExitError } from '../exit.js';
import { createProgressDisplay } from '../progress-display.js';
import { collect, openStore, runsDirOption } from '../shared.js';
import { printSummary } from './show.js';

export function register(program: Command): void {
  runsDirOption(
    program
      .command('run <manifest>')
      .description('run an experiment')
      .option('--set <path=value>', 'override a manifest value (repeatable), e.g. stages.pairing.plugin=best-of-n', collect, [])
      .option('--no-cache', 'reuse no stage output of earlier runs (and publish none)')
      .option('--fresh <stage>', `rerun this stage and every stage after it (${STAGE_NAMES.join(', ')})`),
  ).action(async (file: string, opts: { set: string[]; runsDir: string; cache: boolean; fresh?: string }) => {
    const cache = cacheOptions(opts);
    const resolved = await resolveManifest(file, { sets: opts.set });
    const store = openStore(opts);
    // Created RUNNING and owned by this process: a server sharing the runs folder must not take it from its queue.
    const record = createRun(store, resolved, { state: 'RUNNING' });
    process.stderr.write(`run ${record.id}\n`);
    await runInForeground(store, record.id, cache);
  });

  runsDirOption(
    program
      .command('resume <runId>')
      .description('resume a run: finished stages are skipped, a stage in progress continues')
      .option('--no-cache', 'reuse no stage output of earlier runs (and publish none)')
      .option('--fresh <stage>', `rerun this stage and every stage after it (${STAGE_NAMES.join(', ')})`),
  ).action(
    async (id: string, opts: { runsDir: string; cache: boolean; fresh?: string }) => {
      const cache = cacheOptions(opts);
      const store = openStore(opts);
      await runInForeground(store, store.resolveId(id), cache);
    },
  );
}

/** Executes a run in this process with a progress display; Ctrl-C cancels it cleanly. */
function cacheOptions(opts: { cache: boolean; fresh?: string }): StageCacheOptions {
  if (opts.fresh !== undefined && !(STAGE_NAMES as readonly string[]).includes(opts.fresh)) {
    throw CrucibleError.at('CRUCIBLE_E_INPUT', { path: '--fresh', message: `unknown stage "${opts.fresh}"`, hint: `did you mean "${closest(opts.fresh, [...STAGE_NAMES])}"? stages: ${STAGE_NAMES.join(', ')}` });
  }
  return { noCache: opts.cache === false, fresh: opts.fresh };
}

export async function runInForeground(store: RunStore, id: string, cache: StageCacheOptions = {}): Promise<void> {
  const controller = new AbortController();
  const onSignal = () => {
    process.stderr.write('\ncancelling (press Ctrl-C again to force)...\n');
    try {
      store.index.setState(id, 'CANCELLING');
    } catch {
      // a failing disk: cancelling the run matters more than recording it
    }
    controller.abort();
    process.once('SIGINT', () => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const display = createProgressDisplay();
  const logger = createLogger({ file: join(store.runDir(id), 'run.log') });
  const outcome = await executeRun(store, id, { logger, signal: controller.signal, onEvent: display.onEvent, cache });
  display.stop();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  if (outcome.state === 'SUCCEEDED') {
    await printSummary(store, id);
    return;
  }
  throw new ExitError(outcome.state === 'CANCELLED' ? 130 : 1, `${outcome.error?.format() ?? outcome.state}\nrun ${id} ${outcome.state.toLowerCase()}; logs: ${join(store.runDir(id), 'run.log')}`);
}
