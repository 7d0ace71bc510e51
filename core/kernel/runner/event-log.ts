// events.jsonl: every run event with a sequence number; the file is the source of truth for SSE replays.
import { EventEmitter } from 'node:events';
import { closeSync, fsyncSync, openSync, truncateSync, writeSync } from 'node:fs';
import { readCompleteJsonl } from '../../util/jsonl.js';

export type RunEventType = 'state' | 'stage' | 'progress' | 'log' | 'metric' | 'record' | 'summary' | 'shared';

export interface RunEvent {
  seq: number;
  time: string;
  type: RunEventType;
  [key: string]: unknown;
}

export class EventLog extends EventEmitter {
  private seq: number;
  private readonly fd: number;

  constructor(readonly file: string) {
    super();
    const { records, validBytes } = readCompleteJsonl<RunEvent>(file);
    // A torn last line (killed mid-write) is cut so appends stay line-aligned.
    try {
      truncateSync(file, validBytes);
    } catch {
      // new file
    }
    this.seq = records.length ? records[records.length - 1].seq : 0;
    this.fd = openSync(file, 'a');
  }

  emitEvent(type: RunEventType, data: Record<string, unknown> = {}): RunEvent {
    const event: RunEvent = { seq: ++this.seq, time: new Date().toISOString(), type, ...data };
    writeSync(this.fd, JSON.stringify(event) + '\n');
    this.emit('event', event);
    return event;
  }

  /** Flushes to disk: called at stage boundaries and state changes. */
  sync(): void {
    fsyncSync(this.fd);
  }

  close(): void {
    try {
      fsyncSync(this.fd);
    } finally {
      closeSync(this.fd);
    }
  }
}

export function readEvents(file: string, after = 0): RunEvent[] {
  return readCompleteJsonl<RunEvent>(file).records.filter((e) => e.seq > after);
}
