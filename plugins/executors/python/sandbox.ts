// bubblewrap launch: the fork-server runs with no network, a read-only system, a private /tmp, and without
// the user's home or the project. bwrap is started once per fork-server (it costs ~6 ms a start).
import { accessSync, constants, lstatSync, readlinkSync } from 'node:fs';
import { delimiter, dirname, join, resolve, sep } from 'node:path';
import type { Interpreter } from './interpreter.js';

export type SandboxMode = 'required' | 'auto' | 'off';

/**
 * The system folders bound read-only into the sandbox (symlinks among them are recreated as symlinks). Not /etc:
 * the interpreter does not need the host's accounts, hosts or configuration; only the dynamic linker's cache.
 */
const SYSTEM_DIRS = ['usr', 'bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'];
const SYSTEM_FILES = ['/etc/ld.so.cache'];
/** Where the fork-server's folder (py/) appears inside the sandbox, and its entry script there. */
export const SANDBOX_SERVER_DIR = '/crucible';
export const SANDBOX_SERVER_PATH = '/crucible/fork_server.py';
/** The fork-server's working root inside the sandbox (on the private /tmp). */
export const SANDBOX_WORK_ROOT = '/tmp/crucible';
/** Capabilities a root fork-server keeps, to drop each candidate to an unprivileged uid and clean up after it. */
const ROOT_CAPS = ['CAP_SETUID', 'CAP_SETGID', 'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FOWNER', 'CAP_KILL'];

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

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

const within = (path: string, dir: string) => path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);

/** bwrap arguments that run `interpreter` on the server's folder inside the sandbox (command and args follow). */
export function bwrapArgs(interpreter: Interpreter, serverDir: string, hide: string[], tmpBytes = 256 << 20): string[] {
  const args = ['--unshare-ipc', '--unshare-pid', '--unshare-net', '--unshare-uts', '--unshare-cgroup-try',
    '--die-with-parent', '--new-session'];
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
  // The interpreter may live outside the system folders (pyenv under a home, conda under /opt): bind just it.
  const needed = [...interpreter.prefixes, dirname(interpreter.executable)].map((p) => resolve(p));
  for (const path of needed) {
    if (bound.some((dir) => within(path, dir))) continue;
    // bwrap would create the missing parents as 0700, which an unprivileged candidate could not traverse.
    for (let parent = dirname(path), chain: string[] = []; ; parent = dirname(parent)) {
      if (parent === dirname(parent)) {
        for (const dir of chain.reverse()) args.push('--perms', '0755', '--dir', dir);
        break;
      }
      chain.push(parent);
    }
    args.push('--ro-bind', path, path);
    bound.push(path);
  }
  for (const file of SYSTEM_FILES) args.push('--ro-bind-try', file, file);
  // /tmp is private and size-capped (candidates' working folders live there too): filling it is ENOSPC, not the host's disk.
  args.push('--dev', '/dev', '--proc', '/proc', '--size', String(tmpBytes), '--tmpfs', '/tmp');
  // Folders that must stay invisible even when they sit inside a bound system folder (e.g. a global npm install).
  for (const path of hide.map((p) => resolve(p))) {
    if (bound.some((dir) => within(path, dir)) && !needed.some((p) => within(p, path))) args.push('--tmpfs', path);
  }
  args.push('--ro-bind', serverDir, SANDBOX_SERVER_DIR, '--chdir', '/tmp');
  return args;
}

/** The uid sandboxed helper scripts drop to when bubblewrap runs as root (they read it from CRUCIBLE_DROP_UID). */
export const HELPER_UID = 199_999;

/**
 * bwrap arguments that run `script` from `dir` with the interpreter in the same sandbox candidates get (no network,
 * read-only system, private size-capped /tmp, no home or project): for trusted-data tools that still execute dataset
 * code, such as computing HumanEval+/MBPP+ expected outputs with the canonical solutions.
 */
export function sandboxedScriptArgs(interpreter: Interpreter, dir: string, script: string, scriptArgs: string[], hide: string[]): string[] {
  return [...bwrapArgs(interpreter, dir, hide), interpreter.executable, '-S', '-I', '-B', `${SANDBOX_SERVER_DIR}/${script}`, ...scriptArgs];
}
