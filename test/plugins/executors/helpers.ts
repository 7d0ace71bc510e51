// Shared helpers for the python executor tests: tiny problems, candidates and a process census.
import { readdirSync, readFileSync } from 'node:fs';
import type { Candidate, Problem } from '../../../core/kernel/contract/data.js';

export function problem(tests: string[], extra: Partial<Problem> = {}): Problem {
  return { id: 'p', prompt: '', entryPoint: 'f', language: 'python', meta: {}, tests: tests.map((code, i) => ({ id: `t${i}`, code })), ...extra };
}

export function candidates(codes: string[]): Candidate[] {
  return codes.map((code, i) => ({ id: `c${i}`, problemId: 'p', index: i, prompt: '', completion: code, code }));
}

/** Pids of live processes whose real uid is in the range this process's candidates run under (other runs on the
 * machine use other ranges: the executor takes 64 uids from 200000 + (pid % 100000) * 64). */
export function candidateProcesses(): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
      const state = /^State:\s+(\S)/m.exec(status)?.[1];
      const base = 200_000 + (process.pid % 100_000) * 64;
      if (uid >= base && uid < base + 64 && state !== 'Z') found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** Pids of live descendants of `root` (itself excluded). */
export function descendantsOf(root: number): number[] {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z') parent.set(Number(entry), Number(fields[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  let frontier = new Set([root]);
  while (frontier.size) {
    const next = new Set<number>();
    for (const [pid, ppid] of parent) if (frontier.has(ppid) && !out.includes(pid)) next.add(pid);
    out.push(...next);
    frontier = next;
  }
  return out;
}

/** Whether `pid` is a running process (a zombie waiting for a reaper is not). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
