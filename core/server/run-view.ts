// The per-problem view of a run for the dashboard: each problem's samples with code, verdicts and per-test
// outcomes, scores, and the pairs chosen/rejected. Read from the stages' output files, loosely (a stage that
// did not run is an empty part).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonl } from '../util/jsonl.js';

type Row<T> = { problemId: string; value: T };

interface Candidate { id: string; completion: string; prompt?: string }
interface Execution { status: string; passed: number; total: number; passRate: number; durationMs?: number; tests?: Array<{ id: string; outcome: string }>; stderr?: string; exceptionType?: string }
interface Pair { problemId?: string; chosenId?: string; rejectedId?: string; chosenScore?: number; rejectedScore?: number; chosen: string; rejected: string; why?: string }

const stageRows = <T>(dir: string, stage: string, file: string): Map<string, T> => {
  const path = join(dir, 'stages', stage, file);
  return existsSync(path) ? new Map(readJsonl<Row<T>>(path).map((r) => [r.value.problemId, r.value.value])) : new Map();
};

function splitOf(dir: string): Map<string, string> {
  const file = join(dir, 'stages', 'split', 'split.json');
  const out = new Map<string, string>();
  if (!existsSync(file)) return out;
  for (const [split, ids] of Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, string[]>)) for (const id of ids) out.set(id, split);
  return out;
}

function pairsOf(dir: string): Pair[] {
  const file = join(dir, 'stages', 'pair', 'preferences.jsonl');
  return existsSync(file) ? readJsonl<Pair>(file).map((r) => r.value) : [];
}

export type ProblemRow = { id: string; split: string | null; samples: number; passed: number; meanScore: number | null; pairs: number };

export function listProblems(dir: string): ProblemRow[] {
  const file = join(dir, 'stages', 'dataset', 'problems.jsonl');
  if (!existsSync(file)) return [];
  const ids = readJsonl<{ id: string }>(file).map((r) => r.value.id);
  const executions = stageRows<Execution[]>(dir, 'execute', 'executions.jsonl');
  const scores = stageRows<number[]>(dir, 'score', 'scores.jsonl');
  const split = splitOf(dir);
  const pairs = new Map<string, number>();
  for (const p of pairsOf(dir)) if (p.problemId) pairs.set(p.problemId, (pairs.get(p.problemId) ?? 0) + 1);
  return ids.map((id) => {
    const ex = executions.get(id) ?? [];
    const sc = scores.get(id) ?? [];
    return { id, split: split.get(id) ?? null, samples: ex.length, passed: ex.filter((e) => e.status === 'SUCCESS').length, meanScore: sc.length ? sc.reduce((s, v) => s + v, 0) / sc.length : null, pairs: pairs.get(id) ?? 0 };
  });
}

export function problemDetail(dir: string, problemId: string) {
  const file = join(dir, 'stages', 'dataset', 'problems.jsonl');
  const problem = existsSync(file) ? readJsonl<{ id: string; prompt: string; entryPoint?: string; tests?: Array<{ id: string; code?: string }> }>(file).map((r) => r.value).find((p) => p.id === problemId) : undefined;
  if (!problem) return undefined;
  const candidates = stageRows<Candidate[]>(dir, 'generate', 'candidates.jsonl').get(problemId) ?? [];
  const executions = stageRows<Execution[]>(dir, 'execute', 'executions.jsonl').get(problemId) ?? [];
  const scores = stageRows<number[]>(dir, 'score', 'scores.jsonl').get(problemId) ?? [];
  const samples = candidates.map((c, i) => {
    const e = executions[i];
    return {
      id: c.id, code: c.completion, score: scores[i] ?? null,
      status: e?.status ?? null, passed: e?.passed ?? null, total: e?.total ?? null, durationMs: e?.durationMs ?? null,
      tests: (e?.tests ?? []).map((t) => ({ id: t.id, outcome: t.outcome })), exceptionType: e?.exceptionType ?? null, stderr: e?.stderr ?? null,
    };
  });
  const pairs = pairsOf(dir).filter((p) => p.problemId === problemId).map((p) => ({ chosenId: p.chosenId ?? null, rejectedId: p.rejectedId ?? null, chosenScore: p.chosenScore ?? null, rejectedScore: p.rejectedScore ?? null, chosen: p.chosen, rejected: p.rejected }));
  return {
    problem: { id: problem.id, prompt: problem.prompt, entryPoint: problem.entryPoint ?? null, tests: (problem.tests ?? []).map((t) => ({ id: t.id, code: t.code ?? '' })) },
    split: splitOf(dir).get(problemId) ?? null,
    samples,
    pairs,
  };
}
