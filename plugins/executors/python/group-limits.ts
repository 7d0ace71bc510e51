// How a candidate's processes are held to limits together, recorded with every run (describe().groupLimits). A cgroup
// v2 leaf with the memory and pids controllers would be the stronger way; this says, from the machine itself, why the
// executor does not use one here. It never creates or changes a cgroup.
import { readFileSync } from 'node:fs';

export interface GroupLimits {
  /** What holds the candidate's processes to `memoryMb` together. */
  memory: string;
  /** What caps how many processes a candidate may have. */
  processes: string;
  /** Whether a cgroup v2 leaf with memory and pids controllers could be had on this machine, and why not. */
  cgroup: string;
}

const REQUIRED = ['memory', 'pids'];

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Mount points of cgroup hierarchies from /proc/self/mountinfo: v2 ones, and the v1 controllers by mount. */
function cgroupMounts(): { v2: string[]; v1: Map<string, string> } {
  const v2: string[] = [];
  const v1 = new Map<string, string>();
  for (const line of (read('/proc/self/mountinfo') ?? '').split('\n')) {
    const [mount, rest] = line.split(' - ');
    if (!rest) continue;
    const [fstype, , options = ''] = rest.split(' ');
    const point = mount.split(' ')[4];
    if (fstype === 'cgroup2') v2.push(point);
    if (fstype === 'cgroup') for (const option of options.split(',')) if (REQUIRED.includes(option)) v1.set(option, point);
  }
  return { v2, v1 };
}

/** Why no cgroup v2 leaf with the memory and pids controllers is used for candidates on this machine. */
export function cgroupStatus(): string {
  const { v2, v1 } = cgroupMounts();
  if (v2.length === 0) return 'not used: no cgroup v2 hierarchy is mounted';
  const mount = v2[0];
  const offered = (read(`${mount}/cgroup.controllers`) ?? '').trim().split(/\s+/).filter(Boolean);
  const missing = REQUIRED.filter((c) => !offered.includes(c));
  if (missing.length > 0) {
    const elsewhere = missing.filter((c) => v1.has(c)).map((c) => `${c} at ${v1.get(c)}`);
    return `not used: the cgroup v2 hierarchy at ${mount} offers ${offered.length ? offered.join(', ') : 'no controllers'}, not ${missing.join(' or ')}` +
      (elsewhere.length ? ` (bound to cgroup v1 hierarchies: ${elsewhere.join(', ')})` : '');
  }
  return `not used: cgroup v2 at ${mount} offers memory and pids, but the executor does not create a delegated leaf yet`;
}

/** The limits that hold a candidate's processes together, as the fork-server applies them (crucible_fs_segment.py). */
export function groupLimits(candidateUid: number | null): GroupLimits {
  return {
    memory: 'resident memory of the candidate\'s whole process tree, weighed every 0.1 s of a wait, plus memoryMb of address space per process',
    processes: candidateUid === null ? 'none beyond the host user\'s own process limit (no candidate uid)' : 'maxProcesses as the candidate uid\'s process rlimit',
    cgroup: cgroupStatus(),
  };
}
