// Shared helpers for the javascript executor tests: tiny problems and candidates (the process census is shared
// with the python executor's tests, in helpers.ts).
import type { Candidate, Problem } from '../../../core/contract/data.js';

export function jsProblem(tests: string[], extra: Partial<Problem> = {}): Problem {
  return { id: 'p', prompt: '', entryPoint: 'f', language: 'javascript', meta: {}, tests: tests.map((code, i) => ({ id: `t${i}`, code })), ...extra };
}

export function jsCandidates(codes: string[]): Candidate[] {
  return codes.map((code, i) => ({ id: `c${i}`, problemId: 'p', index: i, prompt: '', completion: code, code }));
}
