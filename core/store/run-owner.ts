// Which process is executing a run. The CLI and the server share one runs folder, so "RUNNING" alone cannot
// tell a run interrupted by a crash from one a live process is still executing: the index records the owner
// (pid, host, and the process's start time, so that a recycled pid is not mistaken for it).
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** `executor`: the process runs the stages (a CLI, a server's worker); `queue`: a server claimed it for a worker. */
export type OwnerRole = 'executor' | 'queue';

export interface RunOwner {
  pid: number;
  host: string;
  /** Start time of the process in clock ticks since boot (Linux /proc), or null where it cannot be read. */
  start: string | null;
  role: OwnerRole;
}

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses), or null. */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** The start time of process `pid` as /proc reports it (field 22 of /proc/<pid>/stat), or null. */
export function processStart(pid: number): string | null {
  return statFields(pid)?.[19] ?? null;
}

export function currentOwner(role: OwnerRole = 'executor'): RunOwner {
  return { pid: process.pid, host: hostname(), start: processStart(process.pid), role };
}

export function sameOwner(a: RunOwner, b: RunOwner): boolean {
  return a.pid === b.pid && a.host === b.host && (a.start === null || b.start === null || a.start === b.start);
}

/**
 * Whether the owner may still be executing the run. A process on another host cannot be checked from here:
 * it counts as alive (taking its run over could run it twice).
 */
export function ownerAlive(owner: RunOwner): boolean {
  if (owner.host !== hostname()) return true;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false; // ESRCH: no such process
  }
  const fields = statFields(owner.pid);
  if (!fields) return true; // no /proc here: kill(0) is all we can tell
  // A zombie (Z) or dead (X) process executes nothing: an orphaned worker whose parent is gone may stay a zombie
  // when the machine's init does not reap it.
  if (fields[0] === 'Z' || fields[0] === 'X') return false;
  return owner.start === null || fields[19] === owner.start;
}

export function describeOwner(owner: RunOwner): string {
  const who = owner.role === 'queue' ? `the server (process ${owner.pid})` : `process ${owner.pid}`;
  return owner.host === hostname() ? who : `${who} on ${owner.host}`;
}

export function isLocal(owner: RunOwner): boolean {
  return owner.host === hostname();
}
