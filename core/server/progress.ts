// Stage progress for GET /v1/runs/:id, folded from the event log; one incremental tail per run is kept
// (bounded), so a poll reads only what was appended since the previous one.
import { join } from 'node:path';
import type { RunEvent } from '../kernel/runner/event-log.js';
import { EventTail } from './event-tail.js';

export interface StageProgress {
  name: string;
  status: 'running' | 'done';
  reused: 'run' | 'cache' | null;
  done: number | null;
  total: number | null;
  durationMs: number | null;
  message?: string;
}

interface Folded {
  tail: EventTail;
  stages: Map<string, StageProgress>;
  busy?: Promise<void>;
}

const MAX_TRACKED = 256;

export class ProgressTracker {
  private readonly runs = new Map<string, Folded>();

  constructor(private readonly runDir: (id: string) => string) {}

  async stages(id: string): Promise<{ stages: StageProgress[]; lastSeq: number }> {
    let f = this.runs.get(id);
    if (!f) {
      if (this.runs.size >= MAX_TRACKED) this.runs.delete(this.runs.keys().next().value!);
      f = { tail: new EventTail(join(this.runDir(id), 'events.jsonl')), stages: new Map() };
      this.runs.set(id, f);
    }
    // Concurrent polls of one run share a single read.
    const folded = f;
    folded.busy ??= folded.tail
      .read()
      .then((events) => {
        for (const e of events) fold(folded.stages, e);
      })
      .finally(() => {
        folded.busy = undefined;
      });
    await folded.busy;
    return { stages: [...folded.stages.values()], lastSeq: folded.tail.lastSeq };
  }
}

function fold(stages: Map<string, StageProgress>, e: RunEvent): void {
  const name = typeof e.stage === 'string' ? e.stage : undefined;
  if (!name) return;
  if (e.type === 'stage' && e.status === 'start') {
    stages.set(name, { name, status: 'running', reused: (e.reused as StageProgress['reused']) ?? null, done: null, total: null, durationMs: null });
    return;
  }
  const s = stages.get(name);
  if (!s) return;
  if (e.type === 'stage' && e.status === 'end') {
    s.status = 'done';
    s.reused = (e.reused as StageProgress['reused']) ?? null;
    s.durationMs = typeof e.durationMs === 'number' ? e.durationMs : null;
    if (s.total !== null) s.done = s.total;
  } else if (e.type === 'progress') {
    if (typeof e.done === 'number') s.done = e.done;
    if (typeof e.total === 'number') s.total = e.total;
    if (typeof e.message === 'string') s.message = e.message;
  }
}
