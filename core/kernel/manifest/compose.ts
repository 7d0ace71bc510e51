// `extends` and `--set`: a manifest is a base plus overrides; the result is what runs and what is recorded.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { CrucibleError } from '../errors.js';
import { parseJsonWithLines, type ParsedJson } from './source-map.js';
import { STAGE_SLOTS } from './schema.js';

export interface ManifestSource {
  file: string;
  parsed: ParsedJson;
}

export interface ComposedManifest {
  /** Merged raw manifest (before schema defaults). */
  raw: Record<string, unknown>;
  /** Files in extends order, the entry file last. */
  sources: ManifestSource[];
  /** Which file last set each top-level path, for error locations. */
  origin(path: string): { file: string; line?: number } | undefined;
  baseDir: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

/** Objects merge key by key, arrays and scalars replace; a stage slot whose plugin changes is replaced whole. */
export function mergeManifests(base: Json, over: Json, path: string[] = []): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const here = [...path, key];
    const isSlot = (here.length === 2 && here[0] === 'stages') || (here.length === 1 && key === 'dataset');
    const prev = out[key];
    if (isSlot && isObject(prev) && isObject(value) && value.plugin !== undefined && value.plugin !== prev.plugin) out[key] = value;
    else if (isObject(prev) && isObject(value)) out[key] = mergeManifests(prev, value, here);
    else out[key] = value;
  }
  return out;
}

export interface ComposeOptions {
  /** Only files under these folders may be extended (the HTTP server's manifests folder). */
  allowedExtendsRoots?: string[];
}

export function readManifestChain(file: string, options: ComposeOptions = {}, seen: string[] = []): ManifestSource[] {
  const abs = resolve(file);
  if (seen.includes(abs)) {
    throw CrucibleError.at('CRUCIBLE_E_MANIFEST', { file: abs, path: 'extends', message: `extends cycle: ${[...seen, abs].join(' -> ')}` });
  }
  if (options.allowedExtendsRoots && seen.length > 0 && !options.allowedExtendsRoots.some((root) => isInside(root, abs))) {
    throw CrucibleError.at('CRUCIBLE_E_MANIFEST', { path: 'extends', message: `extends may only name manifests in the server's manifests folder`, hint: 'use a name like "quickstart.json"' });
  }
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch {
    throw CrucibleError.at('CRUCIBLE_E_MANIFEST', { file: seen.at(-1), path: seen.length ? 'extends' : undefined, message: `manifest not found: ${abs}` });
  }
  const parsed = parseJsonWithLines(text, abs);
  if (!isObject(parsed.value)) throw CrucibleError.at('CRUCIBLE_E_MANIFEST', { file: abs, line: 1, message: 'a manifest must be a JSON object' });
  const parent = parsed.value.extends;
  if (parent === undefined) return [{ file: abs, parsed }];
  if (typeof parent !== 'string') throw CrucibleError.at('CRUCIBLE_E_MANIFEST', { file: abs, line: parsed.lineOf('extends'), path: 'extends', message: 'must be a string path' });
  return [...readManifestChain(resolve(dirname(abs), parent), options, [...seen, abs]), { file: abs, parsed }];
}

export function isInside(root: string, file: string): boolean {
  const rel = relative(resolve(root), resolve(file));
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/** Applies `--set a.b.c=value` overrides; values parse as JSON when they can, else stay strings. */
export function applyOverrides(raw: Json, sets: string[]): Json {
  const out = structuredClone(raw);
  for (const set of sets) {
    const eq = set.indexOf('=');
    if (eq <= 0) throw CrucibleError.at('CRUCIBLE_E_MANIFEST', { path: set, message: 'an override must look like path.to.key=value', hint: 'e.g. --set stages.pairing.plugin=best-of-n' });
    const path = set.slice(0, eq).split('.');
    const text = set.slice(eq + 1);
    let value: unknown = text;
    try {
      value = JSON.parse(text);
    } catch {
      // a bare string
    }
    let node: Json = out;
    for (const key of path.slice(0, -1)) {
      if (!isObject(node[key])) node[key] = {};
      node = node[key] as Json;
    }
    const last = path.at(-1)!;
    // Switching a slot's plugin drops the old plugin's config: it belongs to the other plugin's schema.
    const isSlotPlugin = last === 'plugin' && ((path.length === 3 && path[0] === 'stages' && (STAGE_SLOTS as readonly string[]).includes(path[1])) || (path.length === 2 && path[0] === 'dataset'));
    if (isSlotPlugin && node.plugin !== value && path[0] === 'stages') node.config = {};
    node[last] = value;
  }
  return out;
}

export function composeManifest(file: string, sets: string[] = [], options: ComposeOptions = {}): ComposedManifest {
  const sources = readManifestChain(file, options);
  let raw: Json = {};
  for (const s of sources) raw = mergeManifests(raw, s.parsed.value as Json);
  delete raw.extends;
  raw = applyOverrides(raw, sets);
  const entry = sources.at(-1)!;
  return {
    raw,
    sources,
    baseDir: dirname(entry.file),
    origin(path: string) {
      // The last file in the chain that sets this path (or its nearest parent) owns the error.
      for (let i = sources.length - 1; i >= 0; i--) {
        const s = sources[i];
        if (hasPath(s.parsed.value, path)) return { file: s.file, line: s.parsed.lineOf(path) };
      }
      return { file: entry.file, line: entry.parsed.lineOf(path) };
    },
  };
}

function hasPath(value: unknown, path: string): boolean {
  let node = value;
  for (const key of path.split('.').filter(Boolean)) {
    if (!isObject(node) || !(key in node)) return false;
    node = node[key];
  }
  return true;
}
