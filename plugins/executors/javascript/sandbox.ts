// bubblewrap launch of one checker (and, inside it, its candidate process): no network, a read-only system, a
// private size-capped /tmp, its own IPC and PID namespaces, no project and no home, gone with its parent. Only the
// runtime folder and the three packages the candidate process loads (vm2 and its acorn parser) are bound in.
import { accessSync, constants, lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, resolve, sep } from 'node:path';

/** Where things appear inside the sandbox. */
export const SANDBOX_ROOT = '/crucible';
export const SANDBOX_RUNTIME = '/crucible/runtime';
/** System folders bound read-only (symlinks among them are recreated as symlinks). */
const SYSTEM_DIRS = ['usr', 'bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32', 'etc'];
/** A root checker keeps these, to start its candidate process under an unprivileged uid and clean up after it. */
const ROOT_CAPS = ['CAP_SETUID', 'CAP_SETGID', 'CAP_KILL', 'CAP_DAC_OVERRIDE'];

export function findBwrap(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '/usr/bin:/bin').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'bwrap');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

const within = (path: string, dir: string) => path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);

/** The folders of the packages the candidate process requires (vm2 and what vm2 itself requires). */
export function runtimePackages(): Record<string, string> {
  const here = createRequire(import.meta.url);
  const vm2 = dirname(here.resolve('vm2/package.json'));
  const fromVm2 = createRequire(join(vm2, 'package.json'));
  return {
    vm2,
    acorn: dirname(fromVm2.resolve('acorn/package.json')),
    'acorn-walk': dirname(fromVm2.resolve('acorn-walk/package.json')),
  };
}

export interface SandboxLayout {
  /** Host folder of runtime/*.{mjs,cjs}. */
  runtimeDir: string;
  /** Size of the private /tmp in bytes. */
  tmpBytes: number;
  /** Folders that must stay invisible even inside a bound system folder (the project, the cwd, the home). */
  hide: string[];
}

/** bwrap arguments up to (not including) the command it runs: node, then the checker's script. */
export function bwrapArgs(nodePath: string, layout: SandboxLayout): string[] {
  const args = ['--unshare-ipc', '--unshare-pid', '--unshare-net', '--unshare-uts', '--unshare-cgroup-try', '--die-with-parent', '--new-session'];
  if (isRoot()) for (const cap of ROOT_CAPS) args.push('--cap-add', cap);
  else args.push('--unshare-user-try');
  const bound: string[] = [];
  for (const name of SYSTEM_DIRS) {
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
  // node may live outside the system folders (nvm under a home, /opt): bind its installation folder alone.
  const nodeHome = dirname(dirname(realpathSync(nodePath)));
  if (!bound.some((dir) => within(nodeHome, dir))) {
    for (let parent = dirname(nodeHome), chain: string[] = []; ; parent = dirname(parent)) {
      if (parent === dirname(parent)) {
        for (const dir of chain.reverse()) args.push('--perms', '0755', '--dir', dir);
        break;
      }
      chain.push(parent);
    }
    args.push('--ro-bind', nodeHome, nodeHome);
  }
  args.push('--dev', '/dev', '--proc', '/proc', '--perms', '1777', '--size', String(layout.tmpBytes), '--tmpfs', '/tmp');
  for (const path of layout.hide.map((p) => resolve(p))) {
    if (bound.some((dir) => within(path, dir)) && !within(nodeHome, path)) args.push('--tmpfs', path);
  }
  // bwrap would create missing parents as 0700, which the candidate's unprivileged uid could not traverse.
  args.push('--perms', '0755', '--dir', SANDBOX_ROOT, '--perms', '0755', '--dir', `${SANDBOX_ROOT}/node_modules`);
  args.push('--ro-bind', layout.runtimeDir, SANDBOX_RUNTIME);
  for (const [name, dir] of Object.entries(runtimePackages())) args.push('--ro-bind', dir, `${SANDBOX_ROOT}/node_modules/${name}`);
  args.push('--chdir', '/tmp');
  return args;
}
