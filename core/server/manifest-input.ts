// Manifests posted over HTTP: `extends` may only name files inside the server's manifests folder, and
// relative plugin paths resolve against that folder too; the plugin policy (built-ins, allowed
// packages, allowed plugin folders) is enforced by the kernel's resolver.
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { CrucibleError } from '../kernel/errors.js';
import { isInside, mergeManifests, readManifestChain } from '../kernel/manifest/compose.js';
import { resolveManifestObject, type PluginPolicy, type ResolvedManifest } from '../kernel/manifest/validate.js';

export interface ManifestInputOptions {
  manifestsDir: string;
  policy: PluginPolicy;
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Composes `extends` (server-side files only) under the posted object; the object's own keys win. */
export function composePosted(body: Record<string, unknown>, manifestsDir: string): Record<string, unknown> {
  const parent = body.extends;
  if (parent === undefined) return structuredClone(body);
  if (typeof parent !== 'string' || parent.includes('\0')) throw CrucibleError.at('CRUCIBLE_E_MANIFEST', { path: 'extends', message: 'must be the name of a manifest in the server\'s manifests folder' });
  const file = resolve(manifestsDir, parent);
  const escapes = () =>
    CrucibleError.at('CRUCIBLE_E_MANIFEST', { path: 'extends', message: `"${parent}" is outside the server's manifests folder`, hint: 'use a name like "quickstart.json"' });
  if (!isInside(manifestsDir, file)) throw escapes();
  let real: string;
  try {
    real = realpathSync(file);
  } catch {
    throw CrucibleError.at('CRUCIBLE_E_MANIFEST', { path: 'extends', message: `no manifest "${parent}" in the server's manifests folder` });
  }
  // A symlink inside the folder must not lead out of it.
  if (!isInside(realpathSync(manifestsDir), real)) throw escapes();
  const chain = readManifestChain(file, { allowedExtendsRoots: [manifestsDir] });
  let raw: Record<string, unknown> = {};
  for (const s of chain) raw = mergeManifests(raw, s.parsed.value as Record<string, unknown>);
  raw = mergeManifests(raw, body);
  delete raw.extends;
  return raw;
}

export async function resolvePosted(body: unknown, options: ManifestInputOptions): Promise<ResolvedManifest> {
  if (!isObject(body)) throw CrucibleError.at('CRUCIBLE_E_MANIFEST', { message: 'the body must be a manifest (a JSON object)' });
  const raw = composePosted(body, options.manifestsDir);
  return resolveManifestObject(raw, options.manifestsDir, options.policy);
}
