// A fingerprint of a plugin's code for stage cache keys, so that a plugin changed without a version bump
// never reuses outputs of its old code: the plugin's module, every module it imports by a relative path
// (not crucible's own core, not other packages), and the non-code files shipped in those modules' folders
// (e.g. the python executor's helpers) when the plugin owns its folder (a built-in, a package, or a local
// plugin folder with an index module; a single local file shares its folder with anything, runs included).
// Computed once per process per plugin, recomputed when a file's mtime or size changed.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../../util/package-root.js';
import type { LoadedPlugin } from './load.js';

const CODE = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs']);
const NOT_SHIPPED = new Set(['.md', '.map', '.tsbuildinfo']);
const SKIP_DIRS = new Set(['node_modules', 'test', 'tests', '__pycache__', 'runs']);
/** Bounds on the asset scan, so a plugin file dropped in a large folder cannot make every run slow. */
const MAX_ASSET_DEPTH = 2;
const MAX_FILES = 2000;

interface Fingerprint {
  files: Array<{ file: string; mtimeMs: number; size: number }>;
  hash: string;
}

const memo = new Map<string, Fingerprint>();

/** sha256 over the plugin's code and shipped files; '' for a module that is not a file (never the case today). */
export function pluginCodeHash(loaded: LoadedPlugin): string {
  if (!loaded.resolved.url.startsWith('file:')) return '';
  // Built-ins are named by their .js path; under tsx (sources) the file on disk is the .ts one.
  const entry = resolveModule(fileURLToPath(loaded.resolved.url));
  if (!entry) return '';
  const known = memo.get(entry);
  if (known && known.files.every((f) => unchanged(f))) return known.hash;
  const ownsFolder = loaded.resolved.source !== 'path' || /^index\.[cm]?[jt]s$/.test(basename(entry));
  const fingerprint = compute(entry, ownsFolder);
  memo.set(entry, fingerprint);
  return fingerprint.hash;
}

function unchanged(f: { file: string; mtimeMs: number; size: number }): boolean {
  try {
    const st = statSync(f.file);
    return st.mtimeMs === f.mtimeMs && st.size === f.size;
  } catch {
    return false;
  }
}

function compute(entry: string, withAssets: boolean): Fingerprint {
  const core = join(packageRoot(), 'core') + sep;
  const base = dirname(entry);
  const code = new Set<string>();
  const queue = [entry];
  while (queue.length && code.size < MAX_FILES) {
    const file = queue.pop()!;
    if (code.has(file)) continue;
    code.add(file);
    for (const next of relativeImports(file)) {
      if (next.startsWith(core) || crossesIntoPackage(entry, next)) continue;
      if (!code.has(next)) queue.push(next);
    }
  }
  const assets = new Set<string>();
  // Compiled built-ins (dist/) run beside their sources' shipped files (plugins/executors/python/py/...).
  const dist = join(packageRoot(), 'dist') + sep;
  const assetDirs = new Set([...code].map((f) => dirname(f)).flatMap((d) => (d.startsWith(dist) ? [d, join(packageRoot(), d.slice(dist.length))] : [d])));
  if (withAssets) for (const dir of assetDirs) collectAssets(dir, 0, assets);
  const files = [...code, ...assets].sort();
  const hash = createHash('sha256');
  const stats: Fingerprint['files'] = [];
  for (const file of files) {
    const st = statSync(file);
    stats.push({ file, mtimeMs: st.mtimeMs, size: st.size });
    hash.update(relative(base, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return { files: stats, hash: hash.digest('hex') };
}

/** Relative specifiers of static and dynamic imports, resolved to existing files (".js" written for ".ts" sources). */
function relativeImports(file: string): string[] {
  if (!CODE.has(extname(file))) return [];
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    const target = resolveModule(resolve(dirname(file), m[1]));
    if (target) out.push(target);
  }
  return out;
}

function resolveModule(path: string): string | undefined {
  const candidates = [path, path.replace(/\.js$/, '.ts'), path.replace(/\.mjs$/, '.mts'), `${path}.ts`, `${path}.js`, join(path, 'index.ts'), join(path, 'index.js')];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/** A relative import that leaves the entry's own package for a node_modules one: a dependency, not the plugin. */
function crossesIntoPackage(entry: string, target: string): boolean {
  const pkgOf = (p: string) => {
    const i = p.lastIndexOf(`${sep}node_modules${sep}`);
    return i < 0 ? '' : p.slice(0, p.indexOf(sep, i + 14 + (p[i + 14] === '@' ? p.slice(i + 14).indexOf(sep) + 1 : 0)));
  };
  return pkgOf(target) !== '' && pkgOf(target) !== pkgOf(entry);
}

/** Non-code files in `dir` and its subfolders (Python helpers, WebAssembly, JSON tables), bounded. */
function collectAssets(dir: string, depth: number, out: Set<string>): void {
  if (depth > MAX_ASSET_DEPTH || out.size >= MAX_FILES) return;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) collectAssets(path, depth + 1, out);
    } else if (e.isFile() && !CODE.has(extname(e.name)) && !NOT_SHIPPED.has(extname(e.name)) && !e.name.endsWith('.d.ts')) {
      out.add(path);
      if (out.size >= MAX_FILES) return;
    }
  }
}
