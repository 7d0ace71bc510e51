// bubblewrap launch of one checker (and, inside it, its candidate process), on the shared layout of
// ../sandbox/isolation.ts. On top of it only node's installation, the runtime folder and the three packages the
// candidate process loads (vm2 and its acorn parser) are bound in.
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { bwrapArgs } from '../sandbox/isolation.js';

/** Where things appear inside the sandbox. */
export const SANDBOX_ROOT = '/crucible';
export const SANDBOX_RUNTIME = '/crucible/runtime';
/** System folders bound read-only (symlinks among them are recreated as symlinks). */
const SYSTEM_DIRS = ['usr', 'bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32', 'etc'];
/** A root checker keeps these, to start its candidate process under an unprivileged uid and clean up after it. */
const ROOT_CAPS = ['CAP_SETUID', 'CAP_SETGID', 'CAP_KILL', 'CAP_DAC_OVERRIDE'];

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
export function checkerBwrapArgs(nodePath: string, layout: SandboxLayout): string[] {
  // node may live outside the system folders (nvm under a home, /opt): its installation folder is bound alone.
  const nodeHome = dirname(dirname(realpathSync(nodePath)));
  const args = bwrapArgs({ systemDirs: SYSTEM_DIRS, rootCaps: ROOT_CAPS, needed: [nodeHome], tmpBytes: layout.tmpBytes, tmpPerms: '1777', hide: layout.hide });
  // bwrap would create missing parents as 0700, which the candidate's unprivileged uid could not traverse.
  args.push('--perms', '0755', '--dir', SANDBOX_ROOT, '--perms', '0755', '--dir', `${SANDBOX_ROOT}/node_modules`);
  args.push('--ro-bind', layout.runtimeDir, SANDBOX_RUNTIME);
  for (const [name, dir] of Object.entries(runtimePackages())) args.push('--ro-bind', dir, `${SANDBOX_ROOT}/node_modules/${name}`);
  args.push('--chdir', '/tmp');
  return args;
}
