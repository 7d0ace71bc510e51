// The services a plugin receives in `create(config, ctx)`. Plain interfaces: plugins never see tsyringe.
import type { PluginKind, PluginKinds } from './kinds.js';

export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

/** A seeded pseudo-random source. `fork(label)` gives an independent stream that does not depend on call order elsewhere. */
export interface Rng {
  readonly seed: number;
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, max). */
  int(max: number): number;
  shuffle<T>(items: readonly T[]): T[];
  sample<T>(items: readonly T[], k: number): T[];
  fork(label: string): Rng;
}

export interface ProgressReporter {
  /** Starts (or restarts) counting toward `total` items; `done` lets a resumed stage start part-way. */
  start(total: number, label?: string, done?: number): void;
  tick(count?: number): void;
  /** Free-form status line (e.g. "epoch 2/3 loss 0.61"). */
  status(message: string): void;
}

/** A persistent key-value cache shared across runs (JSON values), namespaced per plugin. */
export interface Cache {
  get<T = unknown>(key: string): T | undefined;
  set(key: string, value: unknown): void;
  /** A folder for large cached files under this key (created on demand). */
  dir(key: string): string;
}

export interface Clock {
  now(): number;
}

/** Stage-scoped output writer; files land in the stage's folder of the run. */
export interface StageFiles {
  readonly dir: string;
  path(name: string): string;
  writeJson(name: string, value: unknown): void;
  writeText(name: string, text: string): void;
}

export interface RunEvents {
  /** Metrics for the run's event stream and report (e.g. training curves). */
  metric(name: string, values: Record<string, number>, step?: number): void;
  /** Facts recorded with the run (backend, prompt format, judge model, ...). */
  record(key: string, value: unknown): void;
}

/** A plugin spec as written in a config: `{ plugin, config }`. */
export interface NestedPluginSpec {
  plugin: string;
  config?: unknown;
}

/**
 * Plugins a plugin uses (a judge model inside a scorer). The spec must sit in a config field the plugin's
 * schema marks `hostResource: 'plugin'` (with `pluginKind`): the kernel then resolves it with the manifest,
 * through the same allowlist, validates its config, records its name@version and puts its code in the cache key.
 */
export interface NestedPlugins {
  /** `path`: where the spec sits in this plugin's config, e.g. "generator". */
  create<K extends PluginKind>(kind: K, spec: NestedPluginSpec, path: string): Promise<PluginKinds[K]>;
}

/**
 * Services the plugins of one run share, e.g. one loaded model used by a generator and by a judge: the first plugin
 * that asks for a key creates it, every later one gets the same value, and the kernel closes it (its close() or
 * dispose()) when the run ends. Keys name what the value is, e.g. `tfjs-lm:model:<folder>:<backend>`.
 */
export interface SharedServices {
  get<T>(key: string, create: () => T | Promise<T>): Promise<T>;
}

export interface PluginContext {
  readonly logger: Logger;
  readonly cache: Cache;
  readonly rng: Rng;
  readonly seed: number;
  readonly progress: ProgressReporter;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  readonly files: StageFiles;
  readonly events: RunEvents;
  /** Creates the nested plugins named in this plugin's config. */
  readonly plugins: NestedPlugins;
  /** Services shared with the run's other plugins (created once per run). */
  readonly shared: SharedServices;
  /** Folder the manifest came from, for resolving relative paths in plugin config. */
  readonly baseDir: string;
  /** The manifest's `runtime` section (e.g. the compute backend of in-process models); absent in bare test contexts. */
  readonly runtime?: { readonly backend?: string };
  /** Throws the run's cancellation error when the run was cancelled. */
  throwIfCancelled(): void;
}
