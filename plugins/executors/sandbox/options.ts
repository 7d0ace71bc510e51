// The config-schema options that mean the same in every sandboxed executor: how many warm processes run, the CPU
// limit of a whole program, the stderr excerpt, dedupe and the `sandbox` option. Type, bounds and default live here;
// each executor words the description for its own processes. Options whose bounds or meaning differ per language
// (memory, processes, files, output, per-test limits) stay in the executor's own schema.
import { availableParallelism } from 'node:os';

/** `workers`: how many warm processes (`what`: "fork-servers") run in parallel; 0 = one per CPU core (workerCount). */
export const workersOption = (what: string) =>
  ({ type: 'integer', minimum: 0, default: 0, description: `${what} running in parallel; 0 = one per CPU core` }) as const;

/** The number of warm processes a `workers` value asks for. */
export const workerCount = (workers: number): number => workers || availableParallelism();

/** `timeoutSeconds`: the CPU limit of a whole program; `blocked` says how a program that blocks is stopped. */
export const programTimeoutOption = (blocked: string) =>
  ({ type: 'number', exclusiveMinimum: 0, default: 5, description: `CPU seconds for a whole program${blocked}` }) as const;

/** `stderrBytes`: the size of the excerpt each execution keeps. */
export const stderrBytesOption = (description: string) => ({ type: 'integer', minimum: 0, default: 2000, description }) as const;

/** `dedupe`: identical candidates of a problem run once (executeDistinct); `description` says what counts as identical. */
export const dedupeOption = (description: string) => ({ type: 'boolean', default: true, description }) as const;

/** The `sandbox` option of every sandboxed executor's config schema (resolved by SandboxChoice). */
export const SANDBOX_OPTION = {
  type: 'string',
  enum: ['required', 'auto', 'off'],
  default: 'auto',
  weakensIsolation: ['auto', 'off'],
  hardenTo: { auto: 'required' },
  description: 'bubblewrap isolation: required (fail without it), auto (use when installed), off; a server that keeps isolation runs (and records) auto as required',
} as const;
