// The executor a request names goes through the same checks as a manifest posted to `crucible serve`: the
// kernel resolves it with the server's plugin policy (built-ins, allowed packages, allowed plugin folders),
// validates its config against its schema (defaults filled, JSON paths in errors), and values that weaken
// isolation are refused unless the operator allowed them. The one place to move to the kernel's
// host-resource policy when that lands.
import { CrucibleError, isCrucibleError, type ErrorDetail } from '../kernel/errors.js';
import { resolveManifestObject } from '../kernel/manifest/validate.js';
import type { SandboxServerOptions } from './options.js';

export interface ExecutorSpec {
  plugin: string;
  config: Record<string, unknown>;
}

/** Executors a sandbox server never hands to a request: they reach other hosts (a queue names a Redis URL). */
const REMOTE_EXECUTORS = new Set(['queue']);

export async function checkExecutorSpec(spec: ExecutorSpec, options: SandboxServerOptions, baseDir: string, path = 'executor'): Promise<ExecutorSpec> {
  const rename = (d: ErrorDetail): ErrorDetail => ({ ...d, path: d.path?.replace(/^stages\.executor/, path) });
  if (REMOTE_EXECUTORS.has(spec.plugin)) {
    throw CrucibleError.at('CRUCIBLE_E_PLUGIN_NOT_ALLOWED', { path: `${path}.plugin`, message: `executor "${spec.plugin}" reaches other hosts and is not served here`, hint: 'name a local executor such as "python"' });
  }
  let config: Record<string, unknown>;
  try {
    // A minimal manifest whose only slot is the executor: resolved exactly as a posted manifest would be.
    const resolved = await resolveManifestObject(
      { name: 'sandbox-request', dataset: { plugin: 'builtin' }, stages: { executor: { plugin: spec.plugin, config: spec.config } } },
      baseDir,
      { allowedPackages: options.allowPackages, allowedPaths: options.allowPluginDirs },
    );
    config = resolved.slots.executor!.config as Record<string, unknown>;
    // Fields that name something on the host (a program, a file, a URL, a variable) are the operator's, never a request's.
    const props = ((resolved.slots.executor!.loaded.plugin.configSchema as { properties?: Record<string, { hostResource?: string }> }).properties) ?? {};
    for (const key of Object.keys(spec.config ?? {})) {
      if (props[key]?.hostResource) {
        throw CrucibleError.at('CRUCIBLE_E_HOST_POLICY', { path: `${path}.config.${key}`, message: `names a host resource (${props[key].hostResource}); requests to this server may not set it` });
      }
    }
  } catch (error) {
    if (!isCrucibleError(error)) throw error;
    const issues = error.issues.map(rename);
    const first = issues[0];
    const code = /^(CRUCIBLE_E_[A-Z_]+):/.exec(first?.message ?? '')?.[1] ?? error.code;
    throw new CrucibleError(code as never, first ? `${first.path ?? path}: ${first.message.replace(/^CRUCIBLE_E_[A-Z_]+: /, '')}` : error.message, issues);
  }
  if (!options.allowUnsandboxed && config.sandbox === 'off') {
    throw CrucibleError.at('CRUCIBLE_E_PLUGIN_NOT_ALLOWED', { path: `${path}.config.sandbox`, message: '"off" weakens isolation and this server does not allow it', hint: 'the operator can start the server with --allow-unsandboxed' });
  }
  return { plugin: spec.plugin, config };
}
