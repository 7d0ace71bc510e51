// The JSON Schema keywords a plugin uses to mark config fields that name a host resource, and the walk that
// finds every such field in a config. The walk runs ajv itself over the (already validated) config, so the
// marks are found wherever the schema applies them: nested objects, array items, anyOf branches, $refs.
//
//   { type: 'string', hostResource: 'read-path' }                   a file or folder the plugin reads
//   { type: 'string', hostResource: 'write-path', hostResourceExcept: ['', 'none'] }
//                                                                    a folder it writes (values that name none listed)
//   { type: 'string', hostResource: 'output-path' }                  a path inside the stage's own folder
//   { type: 'string', hostResource: 'executable' }                   a program it starts
//   { type: 'string', hostResource: 'url' }                          a URL it sends requests to
//   { type: 'string', hostResource: 'env-var' }                      the name of an environment variable it reads
//   { type: 'object', hostResource: 'plugin', pluginKind: 'generator' }   a nested plugin spec { plugin, config }
//   { enum: ['required', 'auto', 'off'], weakensIsolation: ['auto', 'off'] }   values that weaken isolation
//   { ..., weakensIsolation: ['auto', 'off'], hardenTo: { auto: 'required' } }
//                                                                    a host that keeps isolation replaces "auto" by
//                                                                    "required" (in the config it records) instead of refusing it
import { Ajv, type ValidateFunction } from 'ajv';
import { PLUGIN_KINDS, type PluginKind } from '../contract/kinds.js';

export const HOST_RESOURCE_KINDS = ['read-path', 'write-path', 'output-path', 'executable', 'url', 'env-var', 'plugin'] as const;
export type HostResourceKind = (typeof HOST_RESOURCE_KINDS)[number];

/** One marked field as found in a config: its dotted JSON path, its value, and what the schema said of it. */
export interface HostResourceUse {
  path: string;
  value: unknown;
  kind?: HostResourceKind;
  /** Values of this field that name no resource (a default such as "" or "none"). */
  except?: readonly unknown[];
  /** For kind "plugin": the kind of the nested plugin. */
  pluginKind?: PluginKind;
  /** Values of this field that weaken isolation (a sandbox "off"). */
  weakens?: readonly unknown[];
  /** Weakening values a host that keeps isolation replaces rather than refuses, with their replacement. */
  hardenTo?: Readonly<Record<string, unknown>>;
  /** Replaces the field's value in the config that was walked (absent for the config's root). */
  set?: (value: unknown) => void;
}

interface Collector {
  uses: Map<string, HostResourceUse>;
  base: string;
}

let current: Collector | undefined;

function dotted(instancePath: string, base: string): string {
  const segments = instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  return [base, ...segments].filter(Boolean).join('.');
}

function record(instancePath: string, data: unknown, patch: Partial<HostResourceUse>): void {
  if (!current) return;
  const path = dotted(instancePath, current.base);
  const key = `${path}\u0000${patch.kind ?? 'weakens'}`;
  current.uses.set(key, { ...current.uses.get(key), path, value: data, ...patch });
}

const walker = new Ajv({ allErrors: true, strict: false, useDefaults: false });
walker.addKeyword({
  keyword: 'hostResource',
  schemaType: 'string',
  errors: false,
  metaSchema: { enum: [...HOST_RESOURCE_KINDS] },
  validate: (kind: HostResourceKind, data: unknown, parentSchema?: object, cxt?: { instancePath: string }) => {
    const parent = parentSchema as { hostResourceExcept?: unknown[]; pluginKind?: PluginKind } | undefined;
    record(cxt?.instancePath ?? '', data, { kind, except: parent?.hostResourceExcept, pluginKind: parent?.pluginKind });
    return true;
  },
});
walker.addKeyword({ keyword: 'hostResourceExcept', schemaType: 'array' });
walker.addKeyword({ keyword: 'pluginKind', schemaType: 'string', metaSchema: { enum: [...PLUGIN_KINDS] } });
walker.addKeyword({
  keyword: 'weakensIsolation',
  schemaType: 'array',
  errors: false,
  validate: (values: unknown[], data: unknown, parentSchema?: object, cxt?: { instancePath: string; parentData?: unknown; parentDataProperty?: string | number }) => {
    const holder = cxt?.parentData as Record<string | number, unknown> | undefined;
    const key = cxt?.parentDataProperty;
    const set = holder && typeof holder === 'object' && key !== undefined ? (value: unknown) => void (holder[key] = value) : undefined;
    record(cxt?.instancePath ?? '', data, { weakens: values, hardenTo: (parentSchema as { hardenTo?: Record<string, unknown> } | undefined)?.hardenTo, set });
    return true;
  },
});
walker.addKeyword({ keyword: 'hardenTo', schemaType: 'object' });

const compiled = new WeakMap<object, ValidateFunction>();

/** Every marked field of `config` under `schema`, with dotted paths under `basePath`. */
export function findHostResources(schema: object, config: unknown, basePath: string): HostResourceUse[] {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = walker.compile(schema);
    compiled.set(schema, validate);
  }
  const collector: Collector = { uses: new Map(), base: basePath };
  const previous = current;
  current = collector;
  try {
    validate(config);
  } finally {
    current = previous;
  }
  return [...collector.uses.values()];
}
