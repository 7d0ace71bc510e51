// A stage that processes problems one by one and appends each finished problem's record to a JSONL file,
// so a killed run resumes from its last completed problem. The final file is sorted into problem order.
import { existsSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import type { Problem } from '../contract/data.js';
import type { ProgressReporter } from '../contract/context.js';
import type { StageDir } from './stage-dir.js';
import { writeFileAtomic } from '../../util/atomic.js';
import { appendJsonl, readCompleteJsonl, toJsonl } from '../../util/jsonl.js';

export interface ItemRecord<T> {
  problemId: string;
  value: T;
}

export interface ItemStageOptions<T> {
  stage: StageDir;
  /** Final file name, e.g. "candidates.jsonl"; progress lives in "<name>.partial". */
  file: string;
  problems: Problem[];
  /** Counts the problems done (not when the stage's output is reused). */
  progress: ProgressReporter;
  label: string;
  /** Processes the problems not done yet, yielding each problem's record when it is complete. */
  process(pending: Problem[]): AsyncIterable<ItemRecord<T>>;
  signal: AbortSignal;
}

export async function runItemStage<T>(options: ItemStageOptions<T>): Promise<Map<string, T>> {
  const finalFile = join(options.stage.dir, options.file);
  if (options.stage.finished && existsSync(finalFile)) return readItems<T>(finalFile);
  const progress = options.stage.finished ? undefined : options.progress;
  const partial = `${finalFile}.partial`;
  const { records, validBytes } = readCompleteJsonl<ItemRecord<T>>(partial);
  if (existsSync(partial)) truncateSync(partial, validBytes); // drop a torn last line
  const done = new Map(records.map((r) => [r.problemId, r.value]));
  const pending = options.problems.filter((p) => !done.has(p.id));
  progress?.start(options.problems.length, options.label, done.size);
  if (pending.length) {
    for await (const record of options.process(pending)) {
      if (done.has(record.problemId)) continue;
      appendJsonl(partial, [record], true);
      done.set(record.problemId, record.value);
      progress?.tick();
      if (options.signal.aborted) break;
    }
  }
  if (options.signal.aborted) return done;
  const missing = options.problems.filter((p) => !done.has(p.id)).map((p) => p.id);
  if (missing.length) throw new Error(`stage produced nothing for ${missing.length} problem(s): ${missing.slice(0, 5).join(', ')}`);
  const ordered = options.problems.map((p) => ({ problemId: p.id, value: done.get(p.id) as T }));
  writeFileAtomic(finalFile, toJsonl(ordered));
  return new Map(ordered.map((r) => [r.problemId, r.value]));
}

function readItems<T>(file: string): Map<string, T> {
  return new Map(readCompleteJsonl<ItemRecord<T>>(file).records.map((r) => [r.problemId, r.value]));
}
