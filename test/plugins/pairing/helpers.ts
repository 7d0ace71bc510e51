// Scored candidates built from (completion, score, status) triples.
import type { ExecutionStatus, Problem, ScoredCandidate } from '../../../core/kernel/contract/data.js';

export function problem(id: string): Problem {
  return { id, prompt: `def ${id}(xs):\n    """Sort xs in descending order."""\n`, entryPoint: id, tests: [], language: 'python', meta: {} };
}

export function scored(p: Problem, rows: Array<[string, number, ExecutionStatus, { logprob?: number; tokens?: number }?]>): ScoredCandidate[] {
  return rows.map(([completion, score, status, extra], index) => ({
    candidate: { id: `${p.id}:${index}`, problemId: p.id, index, prompt: p.prompt, completion, code: p.prompt + completion, ...(extra ?? {}) },
    execution: { candidateId: `${p.id}:${index}`, problemId: p.id, status, passed: 0, total: 4, passRate: score, tests: [], durationMs: 1 },
    score,
  }));
}
