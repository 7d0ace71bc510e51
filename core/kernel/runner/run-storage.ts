// What the runner needs from the host that stores runs (core/store implements it with folders and SQLite):
// the kernel defines the interface, so it depends on no host.
export const RUN_STATES = ['QUEUED', 'RUNNING', 'CANCELLING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;
export type RunState = (typeof RUN_STATES)[number];

export interface RunRecord {
  id: string;
  name: string;
  /** The fully resolved manifest. */
  manifest: Record<string, unknown>;
  /** Folder relative paths in the manifest resolve against. */
  baseDir: string;
  /** Manifest files that composed it (extends chain). */
  sources: string[];
  createdAt: string;
}

export interface RunStateExtra {
  error?: { code: string; message: string } | null;
  headline?: Record<string, number>;
}

export interface RunStorage {
  /** Root of the stage cache shared by runs. */
  readonly cacheDir: string;
  /** The folder of one run (stage outputs, events, results). */
  runDir(id: string): string;
  /** Records a state change of a run where other processes can see it. */
  setState(id: string, state: RunState, extra?: RunStateExtra): void;
  /** `error` as the host's coded storage error when the runs folder failed (full, read-only...), else unchanged. */
  asStorageError(error: unknown): unknown;
}
