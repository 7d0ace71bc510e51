// The dataset helpers' answers cached on disk, out of world-writable /tmp: a per-user folder (mode 0700,
// owned by this user, not a symlink) and entries that carry the sha256 of their content. An entry whose
// hash does not match (torn, edited, planted) is rebuilt, never trusted; a folder another user could write
// to is not used at all.
import { closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from 'crucible-ml/util';

/** $XDG_CACHE_HOME/crucible/datasets, else ~/.cache/crucible/datasets (a home-less user gets a per-uid folder). */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || (homedir() ? join(homedir(), '.cache') : join(tmpdir(), `crucible-${process.getuid?.() ?? 'user'}`));
  return join(base, 'crucible', 'datasets');
}

/** Why `dir` may not hold cache entries, or undefined when it is safe (ours, a real folder, 0700-like). */
export function unsafeCacheDir(dir: string): string | undefined {
  let st;
  try {
    st = lstatSync(dir);
  } catch {
    return 'it cannot be created';
  }
  if (st.isSymbolicLink()) return 'it is a symbolic link';
  if (!st.isDirectory()) return 'it is not a folder';
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) return `it belongs to uid ${st.uid}, not to this user (${uid})`;
  if (st.mode & 0o022) return 'other users can write to it';
  return undefined;
}

/** Creates the folder (0700) when missing; returns it when safe to use, else undefined with the reason warned once. */
export function openCacheDir(dir: string): string | undefined {
  // A folder that already exists is taken as it is (never chmod-ed: it may already hold someone's entries).
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch {
    // reported by unsafeCacheDir below
  }
  const reason = unsafeCacheDir(dir);
  if (!reason) return dir;
  warnOnce(dir, `crucible: not caching dataset helper results in ${dir}: ${reason}`);
  return undefined;
}

const warned = new Set<string>();
function warnOnce(key: string, message: string): void {
  if (warned.has(key)) return;
  warned.add(key);
  process.emitWarning(message, { code: 'CRUCIBLE_DATASET_CACHE' });
}

/** The cached text at `file` when its recorded hash matches its content; undefined otherwise (rebuild it). */
export function readVerified(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const newline = text.indexOf('\n');
  if (newline !== 64) return undefined;
  const payload = text.slice(65);
  return sha256(payload) === text.slice(0, 64) ? payload : undefined;
}

/** Writes `payload` with its hash, atomically and readable only by this user. */
export function writeVerified(file: string, payload: string): void {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, `${sha256(payload)}\n${payload}`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}
