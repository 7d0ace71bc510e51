// KERNEL CALL SITE: what this plugin needs from the kernel as a host of a nested executor, all through the
// public API: resolving the executor spec (validated like a manifest slot), creating it through ctx.plugins,
// and a context outside a run for the worker. Loaded lazily so the plugin module itself stays light.
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Executor, PluginContext } from 'crucible-ml';
import type { ExecutorSpec } from './protocol.js';

/** The executor spec with its config validated and defaults filled in, as the registry resolves it. */
export async function resolveExecutorSpec(spec: ExecutorSpec, ctx: PluginContext, path: string): Promise<ExecutorSpec & { version: string }> {
  const { resolvePluginSpec } = await import('crucible-ml');
  return resolvePluginSpec('executor', spec, { baseDir: ctx.baseDir, path });
}

/**
 * A batch's executor spec under the kernel's host policy for work taken from a queue: whoever can write to Redis
 * is not this worker's operator, so the spec is resolved as a one-slot manifest posted to `crucible serve` would
 * be, with no host resource allowed (files, programs, URLs, variables) and isolation kept unless the worker was
 * started with --allow-unsandboxed (sandbox "auto" runs as "required", "off" is refused). Throws the kernel's
 * coded error naming the field.
 */
export async function resolveBatchExecutor(spec: ExecutorSpec, o: { allowPlugins: string[]; allowUnsandboxed: boolean; baseDir: string }): Promise<ExecutorSpec> {
  const { resolveManifestObject, isCrucibleError, enforceHostPolicy } = await import('crucible-ml');
  const isPath = (p: string) => p.startsWith('.') || isAbsolute(p);
  const policy = {
    allowedPackages: o.allowPlugins.filter((p) => !isPath(p)),
    // The worker checks the exact name itself; the kernel's allowlist takes folders.
    allowedPaths: o.allowPlugins.filter(isPath).map((p) => dirname(resolve(o.baseDir, p))),
    host: enforceHostPolicy({ readRoots: [], allowWrites: false, allowExecutables: false, allowWeakenedIsolation: o.allowUnsandboxed, allowedUrls: [], allowedEnv: [] }),
  };
  try {
    const resolved = await resolveManifestObject({ name: 'queue-batch', dataset: { plugin: 'builtin' }, stages: { executor: { plugin: spec.plugin, config: spec.config } } }, o.baseDir, policy);
    return { plugin: spec.plugin, config: resolved.slots.executor!.config };
  } catch (error) {
    if (!isCrucibleError(error) || !error.issues.length) throw error;
    const first = error.issues[0];
    const inner = /^(CRUCIBLE_E_[A-Z_]+): ([\s\S]*)$/.exec(first.message);
    const path = first.path?.replace(/^stages\.executor/, 'batch.executor') ?? 'batch.executor';
    throw new Error(`${inner?.[1] ?? error.code}: ${path}: ${inner?.[2] ?? first.message}${first.hint ? ` (${first.hint})` : ''}`);
  }
}

export async function createExecutor(spec: ExecutorSpec, ctx: PluginContext, path: string): Promise<Executor> {
  return ctx.plugins.create('executor', spec, path);
}

/** A context outside any run (its own temp folder and cancellation signal). */
export async function workerContext(baseDir: string): Promise<PluginContext & { abort(): void }> {
  const { standaloneContext } = await import('crucible-ml/testing');
  return standaloneContext({ baseDir });
}

/** Short names of the built-in executors: what a worker runs without being told to allow more. */
export async function builtinExecutors(): Promise<string[]> {
  const { builtinPluginNames } = await import('crucible-ml');
  return builtinPluginNames('executor').filter((name) => name !== 'queue');
}
