// A real plugin context outside any run (temp folder, seeded RNG, cache, cancellation signal).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PluginContext, ProgressReporter, RunEvents } from '../kernel/contract/context.js';
import { SeededRng } from '../util/rng.js';
import { silentLogger } from '../util/logger.js';
import { DiskCache } from '../kernel/services/cache.js';
import { systemClock } from '../kernel/services/clock.js';
import { stageFiles } from '../kernel/services/stage-files.js';
import { CrucibleError } from '../kernel/errors.js';
import 'reflect-metadata';
import { container } from 'tsyringe';
import { RunSharedServices } from '../kernel/services/shared.js';

export interface TestContext extends PluginContext {
  /** What the plugin recorded and reported, for assertions. */
  readonly recorded: Record<string, unknown>;
  readonly metrics: Array<{ name: string; values: Record<string, number>; step?: number }>;
  readonly progressLog: Array<{ total?: number; done: number; status?: string }>;
  /** Cancels the context's signal, as a cancelled run would. */
  abort(): void;
}

/**
 * A real plugin context outside any run: its own temp folder, seeded RNG, cache and signal. Plugin tests use
 * it, and so do the core's one-off tools (`crucible exec`, `crucible compare`) that call a plugin without a run.
 */
export function standaloneContext(options: { seed?: number; dir?: string; baseDir?: string } = {}): TestContext {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'crucible-test-'));
  const controller = new AbortController();
  const recorded: Record<string, unknown> = {};
  const metrics: TestContext['metrics'] = [];
  const progressLog: TestContext['progressLog'] = [];
  let done = 0;
  let total: number | undefined;
  const progress: ProgressReporter = {
    start: (t, _label, d = 0) => { total = t; done = d; progressLog.push({ total, done }); },
    tick: (n = 1) => { done += n; progressLog.push({ total, done }); },
    status: (message) => progressLog.push({ total, done, status: message }),
  };
  const events: RunEvents = {
    metric: (name, values, step) => metrics.push({ name, values, step }),
    record: (key, value) => { recorded[key] = value; },
  };
  const seed = options.seed ?? 42;
  const context: TestContext = {
    logger: silentLogger(),
    cache: new DiskCache(join(dir, 'cache')),
    rng: new SeededRng(seed),
    seed,
    progress,
    clock: systemClock,
    signal: controller.signal,
    files: stageFiles(join(dir, 'stage')),
    events,
    baseDir: options.baseDir ?? process.cwd(),
    // Outside a run, nested plugins resolve through the registry directly (a local user: no host policy).
    // One standalone context is one "run": plugins created with it share its services.
    shared: new RunSharedServices(container.createChildContainer()),
    plugins: {
      async create(kind, spec, path) {
        const { instantiatePlugin } = await import('../plugin-api.js');
        return (await instantiatePlugin(kind, { plugin: spec.plugin, config: spec.config ?? {} }, context, path)).api;
      },
    },
    throwIfCancelled: () => {
      if (controller.signal.aborted) throw new CrucibleError('CRUCIBLE_E_CANCELLED', 'the run was cancelled');
    },
    recorded,
    metrics,
    progressLog,
    abort: () => controller.abort(),
  };
  return context;
}
