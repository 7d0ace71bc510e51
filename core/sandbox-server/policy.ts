// One policy for what a request may name: the hosts' one host policy (core/policy/host-policy.ts), as
// for a manifest posted to `crucible serve`. A request is a token holder's, and a token holder is not the
// operator: the executor it names is resolved as a one-slot manifest with the plugin allowlist (built-ins,
// --allow-package, --allow-plugin-dir), its config validated against the executor's schema, and no host
// resource at all (no files, programs, URLs or environment variables: the sandbox server has no data roots);
// isolation is kept unless the operator started the server with --allow-unsandboxed, so sandbox "auto" runs
// as "required" and "off" is refused. The operator's own settings (--python-config) are the operator's: they
// pass the local policy, with the same rule for isolation.
import { CrucibleError, isCrucibleError, type ErrorDetail } from '../kernel/errors.js';
import { enforceHostPolicy, LOCAL_POLICY } from '../policy/host-policy.js';
import { resolveManifestObject, type PluginPolicy } from '../kernel/manifest/validate.js';
import type { SandboxServerOptions } from './options.js';
import { HOST_DEFAULTS } from '../builtins.js';

export interface ExecutorSpec {
  plugin: string;
  config: Record<string, unknown>;
}

type AllowOptions = Pick<SandboxServerOptions, 'allowPackages' | 'allowPluginDirs' | 'allowUnsandboxed'>;

/** What a request may name. */
export const requestPolicy = (options: AllowOptions): PluginPolicy => ({
  allowedPackages: options.allowPackages,
  allowedPaths: options.allowPluginDirs,
  host: enforceHostPolicy({ readRoots: [], allowWrites: false, allowExecutables: false, allowWeakenedIsolation: options.allowUnsandboxed, allowedUrls: [], allowedEnv: [] }),
});

/** What the operator's settings may name: anything on the host, but isolation only as the server allows it. */
export const operatorPolicy = (options: AllowOptions): PluginPolicy => ({
  allowedPackages: options.allowPackages,
  allowedPaths: options.allowPluginDirs,
  host: enforceHostPolicy({ ...LOCAL_POLICY, allowWeakenedIsolation: options.allowUnsandboxed }),
});

/** The spec resolved by the kernel under `policy` (config with defaults, hardened), or a coded error at `path`. */
export async function checkExecutorSpec(spec: ExecutorSpec, policy: PluginPolicy, baseDir: string, path = 'executor'): Promise<ExecutorSpec> {
  const rename = (d: ErrorDetail): ErrorDetail => ({ ...d, path: d.path?.replace(/^stages\.executor/, path) });
  try {
    const resolved = await resolveManifestObject({ name: 'sandbox-request', dataset: { plugin: HOST_DEFAULTS.placeholderDataset }, stages: { executor: { plugin: spec.plugin, config: spec.config } } }, baseDir, policy);
    return { plugin: spec.plugin, config: resolved.slots.executor!.config };
  } catch (error) {
    if (!isCrucibleError(error)) throw error;
    const issues = error.issues.map(rename);
    const first = issues[0];
    // The kernel reports inner codes in each detail's message ("CRUCIBLE_E_HOST_POLICY: ..."): answer with the first.
    const code = /^(CRUCIBLE_E_[A-Z_]+):/.exec(first?.message ?? '')?.[1] ?? error.code;
    throw new CrucibleError(code as never, first ? `${first.path ?? path}: ${first.message.replace(/^CRUCIBLE_E_[A-Z_]+: /, '')}` : error.message, issues);
  }
}
