import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import type { PluginContext } from './context.js';
import type { PluginKind, PluginKinds } from './kinds.js';

/** The plugin API version of this core; plugins declare a semver range (`apiVersion: '^1'`). */
export const PLUGIN_API_VERSION = '1.0.0';

/**
 * The config type a schema describes (defaults filled in). Wrapped in a conditional so TypeScript infers S
 * from `configSchema` alone; inferring it through `create`'s parameter makes FromSchema blow up.
 */
export type ConfigOf<S> = [S] extends [JSONSchema] ? FromSchema<S> : never;

export interface PluginDefinition<K extends PluginKind = PluginKind, S extends JSONSchema = JSONSchema> {
  kind: K;
  name: string;
  version: string;
  apiVersion: string;
  description?: string;
  /** Inputs the plugin cannot work without, checked when a manifest is validated: `pairs` (a pairing stage or inputs.preferences). */
  needs?: ReadonlyArray<'pairs'>;
  configSchema: S;
  create(config: ConfigOf<S>, ctx: PluginContext): PluginKinds[K] | Promise<PluginKinds[K]>;
}

/** A loaded plugin with its config type erased: what the registry handles. */
export interface AnyPlugin {
  kind: PluginKind;
  name: string;
  version: string;
  apiVersion: string;
  description?: string;
  needs?: ReadonlyArray<'pairs'>;
  configSchema: JSONSchema;
  create(config: any, ctx: PluginContext): unknown;
}

/** Identity at runtime; gives plugin authors a typed `config` inferred from `configSchema`. */
export function definePlugin<K extends PluginKind, const S extends JSONSchema>(
  definition: PluginDefinition<K, S>,
): PluginDefinition<K, S> {
  return definition;
}
