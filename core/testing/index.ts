// The public `crucible-ml/testing` entry, the kit for plugin authors: a real context without a run, the
// kernel's own config validation, and PluginTester (declarative cases in the manner of ESLint's RuleTester).
import type { AnyPlugin } from '../kernel/contract/define-plugin.js';
import type { PluginContext } from '../kernel/contract/context.js';
import { claimSingleInstance } from '../single-instance.js';
import { standaloneContext } from './context.js';

claimSingleInstance(new URL('..', import.meta.url).href);

export { standaloneContext, type TestContext } from './context.js';
export { PluginTester, type PluginTesterCases, type ConfigCase, type InvalidConfigCase, type FixtureCase, type ExpectedError, type KindInputs, type KindOutputs, type RegisterTest, type PluginTesterOptions } from './plugin-tester.js';
export { validatePluginConfig } from '../kernel/registry/config.js';

/** The plugin-author name of standaloneContext. */
export const createTestContext = standaloneContext;

/** Validates `config` as the kernel would, then calls `create` with a test context. */
export async function instantiate<T = unknown>(plugin: AnyPlugin, config: unknown = {}, ctx: PluginContext = createTestContext()): Promise<T> {
  const { validatePluginConfig } = await import('../kernel/registry/config.js');
  const resolved = validatePluginConfig(plugin, config, `stages.${plugin.kind}.config`);
  return (await plugin.create(resolved, ctx)) as T;
}
