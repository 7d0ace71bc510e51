// The bubblewrap launch both executors share: no network, a read-only system, a private size-capped /tmp, its own
// IPC, PID and UTS namespaces, gone with its parent, and no project and no home. Each executor names what its
// runtime needs on top (the interpreter's folders, node's installation) and binds its own scripts after these.
import { accessSync, constants, lstatSync, readlinkSync } from 'node:fs';
import { delimiter, dirname, join, resolve, sep } from 'node:path';

/** How a run asked for bubblewrap (the executors' `sandbox` option). */
export type SandboxMode = 'required' | 'auto' | 'off';

export const BWRAP_HINT = 'install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap)';

/** The first executable named `name` on PATH (and then /usr/bin, /bin when `fallback`), or undefined. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env, fallback: string[] = []): string | undefined {
  for (const dir of (env.PATH ?? '/usr/bin:/bin').split(delimiter).concat(fallback)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function findBwrap(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return findOnPath('bwrap', env);
}

export const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

const within = (path: string, dir: string) => path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);

export interface BwrapLayout {
  /** Top-level system folders bound read-only (symlinks among them are recreated as symlinks). */
  systemDirs: string[];
  /** Single system files bound read-only when present. */
  systemFiles?: string[];
  /** Capabilities a root sandbox keeps, to drop each candidate to an unprivileged uid and clean up after it. */
  rootCaps: string[];
  /** Folders the runtime needs that may lie outside the system folders (pyenv or nvm under a home, /opt). */
  needed: string[];
  /** Size of the private /tmp in bytes. */
  tmpBytes: number;
  /** Mode of the private /tmp when it is not bwrap's default. */
  tmpPerms?: string;
  /** Folders that must stay invisible even inside a bound system folder (the project, the cwd, the home). */
  hide: string[];
}

/** `--dir` arguments for `path`'s missing parents: bwrap would create them 0700, which an unprivileged uid cannot traverse. */
export function traversableParents(path: string): string[] {
  const chain: string[] = [];
  for (let parent = dirname(path); parent !== dirname(parent); parent = dirname(parent)) chain.push(parent);
  return chain.reverse().flatMap((dir) => ['--perms', '0755', '--dir', dir]);
}

/** bwrap arguments for the shared layout; the executor appends its own binds, `--chdir` and the command. */
export function bwrapArgs(layout: BwrapLayout): string[] {
  const args = ['--unshare-ipc', '--unshare-pid', '--unshare-net', '--unshare-uts', '--unshare-cgroup-try', '--die-with-parent', '--new-session'];
  if (isRoot()) for (const cap of layout.rootCaps) args.push('--cap-add', cap);
  else args.push('--unshare-user-try');
  const bound: string[] = [];
  for (const name of layout.systemDirs) {
    const path = `/${name}`;
    try {
      const stat = lstatSync(path);
      if (stat.isSymbolicLink()) args.push('--symlink', readlinkSync(path), path);
      else if (stat.isDirectory()) {
        args.push('--ro-bind', path, path);
        bound.push(path);
      }
    } catch {
      // this system has no such folder
    }
  }
  const needed = layout.needed.map((p) => resolve(p));
  for (const path of needed) {
    if (bound.some((dir) => within(path, dir))) continue;
    args.push(...traversableParents(path), '--ro-bind', path, path);
    bound.push(path);
  }
  for (const file of layout.systemFiles ?? []) args.push('--ro-bind-try', file, file);
  // /tmp is private and size-capped (candidates' working folders live there too): filling it is ENOSPC, not the host's disk.
  args.push('--dev', '/dev', '--proc', '/proc');
  if (layout.tmpPerms) args.push('--perms', layout.tmpPerms);
  args.push('--size', String(layout.tmpBytes), '--tmpfs', '/tmp');
  // Folders that must stay invisible even when they sit inside a bound folder (e.g. a global npm install).
  for (const path of layout.hide.map((p) => resolve(p))) {
    if (bound.some((dir) => within(path, dir)) && !needed.some((p) => within(p, path))) args.push('--tmpfs', path);
  }
  return args;
}
