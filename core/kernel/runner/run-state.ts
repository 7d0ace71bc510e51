// What the kernel knows of one run while its pipeline runs, and the pipeline a host hands it (core/pipeline/ is
// crucible's experiment: dataset -> split -> generate -> ... -> evaluate). Stages extend RunState with their outputs.
import type { ResolvedManifest } from '../manifest/validate.js';
import type { RunPlugins } from './plugins.js';
import type { RunServices } from './stage-context.js';

export interface RunState {
  runId: string;
  runDir: string;
  /** Root of the stage cache shared by runs (absent: no cache). */
  cacheRoot?: string;
  resolved: ResolvedManifest;
  plugins: RunPlugins;
  services: RunServices;
  /** Stage name -> its cache key, once the stage ran or was reused. */
  keys: Record<string, string>;
  /** --no-cache / --fresh STAGE of this execution. */
  cacheOptions: { noCache?: boolean; fresh?: string };
  /** Set once the --fresh stage is reached: it and every later stage rerun. */
  freshNow: boolean;
  /** Stage name -> how it went (ran, resumed, cache), for the summary and tests. */
  stageLog: Array<{ stage: string; status: 'ran' | 'run' | 'cache' | 'skipped'; durationMs: number }>;
}

/** results.json: the kernel's record of the run, and what the pipeline measured. */
export interface RunResultsBase {
  run: {
    id: string;
    name: string;
    seed: number;
    startedAt: string;
    finishedAt: string;
    /** The resolved manifest (after extends and --set). */
    manifest: unknown;
    /** Plugin name -> version, e.g. { "pairing": "my-pairing@1.2.0" }. */
    plugins: Record<string, string>;
    /** Facts recorded during the run: backend, prompt format, judge model, ... */
    records: Record<string, unknown>;
    stages?: unknown;
    node?: string;
  };
}

export interface Pipeline {
  /** Its stage names in run order: what `--fresh` accepts (a stage reruns with every stage after it). */
  readonly stages: readonly string[];
  /** Runs the stages; returns what results.json holds besides `run`, and flat headline numbers for the run index. */
  run(state: RunState): Promise<{ results: Record<string, unknown>; headline: Record<string, number> }>;
}
