// Validates a plugin's config against its JSON Schema with ajv, filling defaults; errors carry manifest paths.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { closest } from 'fastest-levenshtein';
import type { AnyPlugin } from '../contract/define-plugin.js';
import { CrucibleError, type ErrorDetail } from '../errors.js';

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, verbose: true });
const compiled = new WeakMap<object, ValidateFunction>();

function validatorFor(schema: object): ValidateFunction {
  let v = compiled.get(schema);
  if (!v) {
    v = ajv.compile(schema);
    compiled.set(schema, v);
  }
  return v;
}

/** Turns ajv errors into details with dotted paths under `basePath`, suggesting close names for unknown keys. */
export function ajvDetails(errors: ErrorObject[] | null | undefined, basePath: string, file?: string): ErrorDetail[] {
  return (errors ?? []).map((e) => {
    const segments = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    let path = [basePath, ...segments].filter(Boolean).join('.');
    let message = e.message ?? 'is invalid';
    let hint: string | undefined;
    if (e.keyword === 'additionalProperties') {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      path = `${path}.${key}`;
      message = 'is not a known option';
      const known = Object.keys(((e.parentSchema as { properties?: object })?.properties ?? {}) as object);
      if (known.length) hint = `did you mean "${closest(key, known)}"?`;
    } else if (e.keyword === 'enum') {
      message = `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    }
    return { path, message, hint, file };
  });
}

/** Returns a deep copy of `config` with defaults applied, or throws CRUCIBLE_E_PLUGIN_CONFIG with every error. */
export function validatePluginConfig(plugin: AnyPlugin, config: unknown, basePath: string, file?: string): any {
  const copy = structuredClone(config ?? {});
  const validate = validatorFor(plugin.configSchema as object);
  if (!validate(copy)) {
    const details = ajvDetails(validate.errors, basePath, file);
    throw new CrucibleError('CRUCIBLE_E_PLUGIN_CONFIG', `invalid config for ${plugin.kind} plugin "${plugin.name}"`, details);
  }
  return copy;
}
