// bubblewrap launch of one fork-server, on the shared layout of ../sandbox/isolation.ts (no network, a read-only
// system, a private /tmp, no home, no project): on top of it only the interpreter's folders, the dynamic linker's
// cache and the server's own folder (py/). bwrap is started once per fork-server (it costs ~6 ms a start).
import { dirname } from 'node:path';
import { bwrapArgs } from '../sandbox/isolation.js';
import type { Interpreter } from './interpreter.js';

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

/** bwrap arguments that run `interpreter` on the server's folder inside the sandbox (command and args follow). */
export function serverBwrapArgs(interpreter: Interpreter, serverDir: string, hide: string[], tmpBytes = 256 << 20): string[] {
  // The interpreter may live outside the system folders (pyenv under a home, conda under /opt): bind just it.
  const needed = [...interpreter.prefixes, dirname(interpreter.executable)];
  const args = bwrapArgs({ systemDirs: SYSTEM_DIRS, systemFiles: SYSTEM_FILES, rootCaps: ROOT_CAPS, needed, tmpBytes, hide });
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
  return [...serverBwrapArgs(interpreter, dir, hide), interpreter.executable, '-S', '-I', '-B', `${SANDBOX_SERVER_DIR}/${script}`, ...scriptArgs];
}
