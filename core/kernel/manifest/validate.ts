// Validates a composed manifest: the schema, then every slot's plugin and config. Collects every error.
import { Ajv } from 'ajv';
import { CrucibleError, isCrucibleError, type ErrorDetail } from '../errors.js';
import { ajvDetails, validatePluginConfig } from '../registry/config.js';
import { loadPlugin, suggestion, type LoadedPlugin } from '../registry/load.js';
import { findBuiltin, isPathReference } from '../registry/resolve.js';
import type { PluginKind } from '../contract/kinds.js';
import { composeManifest, isInside, type ComposeOptions, type ComposedManifest } from './compose.js';
import { findHostResources, type HostResourceUse } from './host-resources.js';
import { manifestSchema, RUN_SLOTS, type Manifest, type RunSlot } from './schema.js';
import { resolve } from 'node:path';
import { missingFiles } from './files.js';

const validateSchema = new Ajv({ allErrors: true, useDefaults: true, strict: false, verbose: true }).compile(manifestSchema);

export type { RunSlot };

export interface ResolvedSlot {
  kind: PluginKind;
  plugin: string;
  config: Record<string, unknown>;
  loaded: LoadedPlugin;
  /** Plugins named inside this slot's config (fields marked hostResource: "plugin"), resolved like slots. */
  nested: NestedPlugin[];
}

export interface NestedPlugin {
  /** Dotted JSON path of the spec in the manifest, e.g. "stages.scorer.config.generator". */
  path: string;
  kind: PluginKind;
  plugin: string;
  config: Record<string, unknown>;
  loaded: LoadedPlugin;
}

const allowAll: HostResourceCheck = () => [];

/** How deep plugin specs may nest inside plugin configs (a judge inside a scorer is one level). */
const MAX_NESTING = 3;

export interface ResolvedManifest {
  manifest: Manifest;
  slots: Partial<Record<RunSlot, ResolvedSlot>>;
  baseDir: string;
  sources: string[];
}

/**
 * A host's rules for what config fields may name (files, URLs, programs, isolation settings): the refusals for
 * the marked fields found, each at its path; it may replace a weakening value by its strict form in place. The
 * hosts share one implementation (core/policy/); the kernel only calls it.
 */
export type HostResourceCheck = (uses: HostResourceUse[], baseDir: string) => ErrorDetail[];

export interface PluginPolicy {
  /** When set, only built-ins, these packages, and local paths under `allowedPaths` may load (HTTP submissions). */
  allowedPackages?: string[];
  allowedPaths?: string[];
  /** What config fields may name on the host; absent: everything (a local user). */
  host?: HostResourceCheck;
}

export interface ValidateOptions extends ComposeOptions {
  sets?: string[];
  policy?: PluginPolicy;
  /** Check that the files the manifest names exist (the CLI; not over HTTP, where it would reveal the host's files). */
  checkFiles?: boolean;
}

/** Resolves the manifest at `file` fully or throws CRUCIBLE_E_MANIFEST listing every error with file, line and path. */
export async function resolveManifest(file: string, options: ValidateOptions = {}): Promise<ResolvedManifest> {
  const composed = composeManifest(file, options.sets ?? [], options);
  return resolveComposed(composed, options.policy, options.checkFiles ?? true);
}

export async function resolveComposed(composed: ComposedManifest, policy?: PluginPolicy, checkFiles = false): Promise<ResolvedManifest> {
  const errors: ErrorDetail[] = [];
  const at = (d: ErrorDetail): ErrorDetail => {
    const o = d.path ? composed.origin(d.path) : undefined;
    return { ...d, file: d.file ?? o?.file, line: d.line ?? o?.line };
  };
  const manifest = structuredClone(composed.raw) as Manifest;
  if (!validateSchema(manifest)) errors.push(...ajvDetails(validateSchema.errors, '').map(at));
  const host = policy?.host ?? allowAll;
  errors.push(...host(findHostResources(manifestSchema, manifest, ''), composed.baseDir).map(at));

  const slots: ResolvedManifest['slots'] = {};
  for (const [slot, { kind, path }] of Object.entries(RUN_SLOTS) as Array<[RunSlot, (typeof RUN_SLOTS)[RunSlot]]>) {
    const spec = valueAt(manifest, path);
    if (!isSpec(spec)) continue;
    const nested: NestedPlugin[] = [];
    const found: ErrorDetail[] = [];
    await resolveSpec(kind, spec, path, { baseDir: composed.baseDir, policy, host, nested, errors: found }, 0, (loaded, config) => {
      slots[slot] = { kind, plugin: spec.plugin, config, loaded, nested };
    });
    errors.push(...found.map(at));
  }
  const split = manifest.dataset?.split;
  if (split && Math.abs((split.train ?? 0) + (split.val ?? 0) + (split.test ?? 0) - 1) > 1e-9) {
    errors.push(at({ path: 'dataset.split', message: 'train + val + test must sum to 1' }));
  }
  if (slots.trainer?.loaded.plugin.needs?.includes('pairs') && !manifest.stages?.pairing && !manifest.inputs?.preferences) {
    errors.push(at({ path: 'stages.trainer', message: `the trainer "${slots.trainer.loaded.plugin.name}" needs preference pairs`, hint: 'add stages.pairing or inputs.preferences' }));
  }
  if (checkFiles) errors.push(...missingFiles(manifest as Record<string, unknown>, composed.baseDir).map(at));
  if (manifest.rounds && (!manifest.stages?.generator || !manifest.stages?.executor || !manifest.stages?.scorer || !manifest.stages?.pairing || !manifest.stages?.trainer)) {
    errors.push(at({ path: 'rounds', message: 'rounds need stages.generator, executor, scorer, pairing and trainer (each round samples, executes, scores, pairs and trains)' }));
  }
  if (manifest.rounds?.selectOn === 'test') {
    errors.push(at({ path: 'rounds.selectOn', message: 'CRUCIBLE_E_SPLIT_GUARD: selection on the test split is refused: the test split is evaluated once per run, after every choice is made', hint: 'use "val"' }));
  }
  if (errors.length) {
    const where = composed.sources.at(-1)?.file ?? 'the submitted manifest';
    throw new CrucibleError('CRUCIBLE_E_MANIFEST', `${errors.length} error${errors.length > 1 ? 's' : ''} in ${where}`, errors);
  }
  return { manifest, slots, baseDir: composed.baseDir, sources: composed.sources.map((s) => s.file) };
}

function valueAt(root: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), root);
}

/** Resolves an already composed manifest object (a stored run, or a body posted over HTTP). */
export async function resolveManifestObject(raw: Record<string, unknown>, baseDir: string, policy?: PluginPolicy): Promise<ResolvedManifest> {
  return resolveComposed({ raw: structuredClone(raw), sources: [], baseDir, origin: () => undefined }, policy);
}

const isSpec = (v: unknown): v is { plugin: string; config?: unknown } => !!v && typeof v === 'object' && typeof (v as { plugin?: unknown }).plugin === 'string';

/**
 * Resolves the plugin spec at `path` (a slot, or a spec nested in a plugin's config): the allowlist, loading,
 * config validation with defaults (written back into the spec), the host policy on its config, then every spec
 * nested in that config, recursively, into `o.nested`. Problems go to `o.errors`, each with its inner code.
 */
async function resolveSpec(
  kind: PluginKind,
  spec: { plugin: string; config?: unknown },
  path: string,
  o: { baseDir: string; policy?: PluginPolicy; host: HostResourceCheck; nested: NestedPlugin[]; errors: ErrorDetail[] },
  depth: number,
  resolved: (loaded: LoadedPlugin, config: Record<string, unknown>) => void,
): Promise<void> {
  try {
    checkPolicy(kind, spec.plugin, o.baseDir, o.policy, `${path}.plugin`);
    const loaded = await loadPlugin(kind, spec.plugin, { baseDir: o.baseDir, path: `${path}.plugin` });
    const config = validatePluginConfig(loaded.plugin, spec.config ?? {}, `${path}.config`);
    spec.config = config;
    resolved(loaded, config);
    const uses = findHostResources(loaded.plugin.configSchema as object, config, `${path}.config`);
    // A server may resolve "isolate when you can" to "isolate" in the config it records (sandbox auto -> required).
    o.errors.push(...o.host(uses, o.baseDir));
    for (const use of uses) {
      const inner = use.value;
      if (use.kind !== 'plugin' || !use.pluginKind || !isSpec(inner)) continue;
      if (depth >= MAX_NESTING) {
        o.errors.push({ path: use.path, message: `plugins nest at most ${MAX_NESTING} levels deep` });
        continue;
      }
      const innerKind = use.pluginKind;
      await resolveSpec(innerKind, inner, use.path, o, depth + 1, (l, c) => o.nested.push({ path: use.path, kind: innerKind, plugin: inner.plugin, config: c, loaded: l }));
    }
  } catch (error) {
    if (!isCrucibleError(error)) throw error;
    const details = error.issues.length ? error.issues : [{ path: `${path}.plugin`, message: error.message }];
    o.errors.push(...details.map((d) => ({ ...d, message: `${error.code}: ${d.message}` })));
  }
}

function checkPolicy(kind: PluginKind, reference: string, baseDir: string, policy: PluginPolicy | undefined, path: string): void {
  if (!policy) return;
  if (isPathReference(reference)) {
    const abs = resolve(baseDir, reference);
    const allowed = (policy.allowedPaths ?? []).some((root) => isInside(root, abs));
    if (!allowed) {
      throw CrucibleError.at('CRUCIBLE_E_PLUGIN_NOT_ALLOWED', { path, message: `local plugin path "${reference}" is not allowed on this server`, hint: 'use a built-in plugin, an allowed package, or a path under the server\'s plugin folders' });
    }
    return;
  }
  if (findBuiltin(undefined, reference)) return;
  if (!(policy.allowedPackages ?? []).includes(reference)) {
    // A misspelled built-in reads as a package name: say which built-in was probably meant, as the CLI does.
    throw CrucibleError.at('CRUCIBLE_E_PLUGIN_NOT_ALLOWED', { path, message: `plugin package "${reference}" is not on this server's allowlist`, hint: suggestion(kind, reference) });
  }
}
