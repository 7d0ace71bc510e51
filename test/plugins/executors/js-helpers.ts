// Shared helpers for the javascript executor tests: tiny problems, candidates, and a census of this process's
// candidate processes (the javascript executor's uid range).
import { readdirSync, readFileSync } from 'node:fs';
import type { Candidate, Problem } from '../../../core/kernel/contract/data.js';
import { JS_UID_BASE } from '../../../plugins/executors/javascript/index.js';

export function jsProblem(tests: string[], extra: Partial<Problem> = {}): Problem {
  return { id: 'p', prompt: '', entryPoint: 'f', language: 'javascript', meta: {}, tests: tests.map((code, i) => ({ id: `t${i}`, code })), ...extra };
}

export function jsCandidates(codes: string[]): Candidate[] {
  return codes.map((code, i) => ({ id: `c${i}`, problemId: 'p', index: i, prompt: '', completion: code, code }));
}

/** Pids of live processes under the uids this process's javascript candidates run as. */
export function jsCandidateProcesses(): number[] {
  const base = JS_UID_BASE + (process.pid % 100_000) * 64;
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
      if (uid >= base && uid < base + 64 && /^State:\s+(\S)/m.exec(status)?.[1] !== 'Z') found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}
