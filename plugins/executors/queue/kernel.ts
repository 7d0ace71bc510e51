// KERNEL CALL SITE: the one place this plugin reaches into the kernel, for what any host of nested plugins
// needs: creating an executor by name through the registry (validated like a manifest slot), and a context
// outside a run for the worker. Loaded lazily so the plugin module itself stays light.
import type { PluginContext } from '../../../core/index.js';
import type { Executor } from '../../../core/index.js';
import type { ExecutorSpec } from './protocol.js';

/** The executor spec with its config validated and defaults filled in, as the registry resolves it. */
export async function resolveExecutorSpec(spec: ExecutorSpec, ctx: PluginContext, path: string): Promise<ExecutorSpec & { version: string }> {
  const { loadPlugin, validatePluginConfig } = await import('../../../core/index.js');
  const loaded = await loadPlugin('executor', spec.plugin, { baseDir: ctx.baseDir, path: `${path}.plugin` });
  const config = validatePluginConfig(loaded.plugin, spec.config ?? {}, `${path}.config`) as Record<string, unknown>;
  return { plugin: spec.plugin, config, version: loaded.plugin.version };
}

export async function createExecutor(spec: ExecutorSpec, ctx: PluginContext, path: string): Promise<Executor> {
  const { instantiatePlugin } = await import('../../../core/index.js');
  return (await instantiatePlugin('executor', spec, ctx, path)).api;
}

/** A context outside any run (its own temp folder and cancellation signal). */
export async function workerContext(baseDir: string): Promise<PluginContext & { abort(): void }> {
  const { standaloneContext } = await import('../../../core/testing/index.js');
  return standaloneContext({ baseDir });
}

/** Short names of the built-in executors: what a worker runs without being told to allow more. */
export async function builtinExecutors(): Promise<string[]> {
  const { builtinPlugins } = await import('../../../core/index.js');
  return builtinPlugins().filter((e) => e.kind === 'executor' && e.name !== 'queue').map((e) => e.name);
}
