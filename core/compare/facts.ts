// What one run measured, read from its folder: any run (replay, training, evaluation) has some of these.
// Files are the stages' outputs (the kinds' schemas), read loosely: a missing stage is a missing section.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunStore } from '../store/run-store.js';
import { readJsonl } from '../util/jsonl.js';
import { summarizeExecutions, type ExecutionFacts } from '../util/execution-summary.js';
import type { EvaluationResult } from '../kernel/contract/kinds.js';

export { STATUSES } from '../util/execution-summary.js';


export interface Distribution {
  count: number;
  mean: number;
  median: number;
  /** 10 equal bins over [0, 1]. */
  histogram: number[];
}

export interface RunFacts {
  id: string;
  name: string;
  state: string;
  manifest: Record<string, unknown>;
  plugins: Record<string, string>;
  execution?: ExecutionFacts;
  scores?: Distribution;
  pairing?: Record<string, unknown>;
  training?: Record<string, number>;
  evaluation?: EvaluationResult;
  error?: { code: string; message: string; stage?: string };
}

const readJson = (file: string): any => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined);

export function distribution(values: number[]): Distribution | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const histogram = new Array(10).fill(0);
  for (const v of values) histogram[Math.min(9, Math.max(0, Math.floor(v * 10)))]++;
  return { count: values.length, mean: values.reduce((s, v) => s + v, 0) / values.length, median: sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2, histogram };
}

/** The stage that was running when a failed run stopped, from its event log. */
export function failedStage(runDir: string): string | undefined {
  const file = join(runDir, 'events.jsonl');
  if (!existsSync(file)) return undefined;
  const open = new Set<string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.includes('"type":"stage"')) continue;
    try {
      const e = JSON.parse(line) as { stage: string; status: string };
      if (e.status === 'start') open.add(e.stage);
      else open.delete(e.stage);
    } catch {
      // a torn last line of a killed run
    }
  }
  return [...open].at(-1);
}

export function readRunFacts(store: RunStore, id: string): RunFacts {
  const dir = store.runDir(id);
  const row = store.row(id);
  const results = readJson(join(dir, 'results.json'));
  const manifest = (results?.run?.manifest ?? readJson(join(dir, 'manifest.json')) ?? {}) as Record<string, unknown>;
  const facts: RunFacts = { id, name: row.name ?? String(manifest.name ?? ''), state: row.state, manifest, plugins: results?.run?.plugins ?? {} };
  const execFile = join(dir, 'stages', 'execute', 'executions.jsonl');
  if (existsSync(execFile)) {
    const rows = readJsonl<{ problemId: string; value: Array<{ status: string; passRate?: number }> }>(execFile);
    const byProblem = new Map(rows.map((r) => [r.value.problemId, r.value.value] as const));
    facts.execution = summarizeExecutions(byProblem);
  }
  const scoreFile = join(dir, 'stages', 'score', 'scores.jsonl');
  if (existsSync(scoreFile)) facts.scores = distribution(readJsonl<{ value: number[] }>(scoreFile).flatMap((r) => r.value.value));
  facts.pairing = results?.pairing?.stats ?? readJson(join(dir, 'stages', 'pair', 'pairing_stats.json'));
  const stats = results?.training?.stats as Record<string, unknown> | undefined;
  if (stats) facts.training = Object.fromEntries(Object.entries(stats).filter(([, v]) => typeof v === 'number' && Number.isFinite(v))) as Record<string, number>;
  facts.evaluation = results?.evaluation ?? readJson(join(dir, 'stages', 'evaluate', 'evaluation.json'));
  if (row.error) facts.error = { ...row.error, stage: failedStage(dir) };
  return facts;
}
