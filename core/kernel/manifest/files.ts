// Files a manifest names must exist before anything runs: a missing dataset or sample file is bad input
// (exit 2, with the JSON path and the resolved file), not a crash halfway through a run.
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { ErrorDetail } from '../errors.js';
import { packageRoot } from '../../util/package-root.js';

// Config keys that name an input file or folder. Until plugin schemas mark their host resources, these are
// the keys every built-in uses for inputs; `model`/`tokenizer` only when written as a path (else a model name).
const INPUT_KEYS = new Set(['path', 'data']);
const PATH_IF_LOCAL = new Set(['model', 'tokenizer']);
const looksLocal = (v: string) => v.startsWith('./') || v.startsWith('../') || isAbsolute(v);

/** One detail per referenced file that does not exist, relative to the manifest's folder. */
export function missingFiles(manifest: Record<string, unknown>, baseDir: string): ErrorDetail[] {
  const missing: ErrorDetail[] = [];
  const check = (value: string, path: string, packageFallback: boolean) => {
    const abs = isAbsolute(value) ? value : resolve(baseDir, value);
    if (existsSync(abs)) return;
    // The embedded model ships with the package, wherever the manifest lives (as the in-process generator resolves it).
    if (packageFallback && !isAbsolute(value) && existsSync(resolve(packageRoot(), value))) return;
    missing.push({ path, message: `file not found: ${abs}`, hint: 'fix the path (relative paths resolve from the manifest\'s folder)' });
  };
  const walk = (node: unknown, path: string) => {
    if (!node || typeof node !== 'object' || Array.isArray(node)) return;
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      const at = `${path}.${key}`;
      if (INPUT_KEYS.has(key) && typeof value === 'string') check(value, at, false);
      else if (INPUT_KEYS.has(key) && Array.isArray(value)) value.forEach((v, i) => typeof v === 'string' && check(v, `${at}[${i}]`, false));
      else if (PATH_IF_LOCAL.has(key) && typeof value === 'string' && looksLocal(value)) check(value, at, true);
      else walk(value, at);
    }
  };
  const dataset = manifest.dataset as { config?: unknown } | undefined;
  walk(dataset?.config, 'dataset.config');
  const prefs = (manifest.inputs as { preferences?: unknown } | undefined)?.preferences;
  if (typeof prefs === 'string') check(prefs, 'inputs.preferences', false);
  for (const [slot, spec] of Object.entries((manifest.stages ?? {}) as Record<string, { config?: unknown }>)) walk(spec?.config, `stages.${slot}.config`);
  return missing;
}
