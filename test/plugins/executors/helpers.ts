// Shared helpers for the executor tests: tiny problems, candidates and a process census (python by default;
// js-helpers.ts adapts them to the javascript executor).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Candidate, Execution, Problem } from '../../../core/kernel/contract/data.js';

export function problem(tests: string[], extra: Partial<Problem> = {}): Problem {
  return { id: 'p', prompt: '', entryPoint: 'f', language: 'python', meta: {}, tests: tests.map((code, i) => ({ id: `t${i}`, code })), ...extra };
}

export function candidates(codes: string[]): Candidate[] {
  return codes.map((code, i) => ({ id: `c${i}`, problemId: 'p', index: i, prompt: '', completion: code, code }));
}

/** Runs `codes` as the candidates of one problem made of `tests`. */
export function runAll(executor: { execute(p: Problem, c: Candidate[]): Promise<Execution[]> }, tests: string[], codes: string[], extra: Partial<Problem> = {}): Promise<Execution[]> {
  return executor.execute(problem(tests, extra), candidates(codes));
}

/** What a sandbox escape would touch on the host: a folder with a canary file, and a loopback port that counts connections. */
export interface HostWitness {
  dir: string;
  canary: string;
  port: number;
  connections(): number;
  close(): void;
}

export async function hostWitness(prefix: string): Promise<HostWitness> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const canary = join(dir, 'canary.txt');
  writeFileSync(canary, 'keep me');
  let connections = 0;
  const listener = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  return {
    dir,
    canary,
    port: (listener.address() as AddressInfo).port,
    connections: () => connections,
    close() {
      listener.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Pids of live processes (zombies aside) whose real uid is in [base, base + count). */
export function processesUnderUids(base: number, count = 64): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
      if (uid >= base && uid < base + count && /^State:\s+(\S)/m.exec(status)?.[1] !== 'Z') found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** Pids of live processes under the uids this process's python candidates run as (other runs on the machine use
 * other ranges: the executor takes 64 uids from 200000 + (pid % 100000) * 64). */
export function candidateProcesses(): number[] {
  return processesUnderUids(200_000 + (process.pid % 100_000) * 64);
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
