// Incremental reader of a run's events.jsonl (written by the worker process): reads only the bytes
// appended since the last call, yields complete lines, and never returns an event twice (seq-based).
import { open, stat } from 'node:fs/promises';
import type { RunEvent } from '../kernel/runner/event-log.js';

export class EventTail {
  private offset = 0;
  private partial = '';
  /** Highest seq returned so far. */
  lastSeq: number;

  constructor(private readonly file: string, after = 0) {
    this.lastSeq = after;
  }

  /** New complete events with seq > lastSeq, in file order. */
  async read(): Promise<RunEvent[]> {
    let size: number;
    try {
      size = (await stat(this.file)).size;
    } catch {
      return []; // not written yet (queued run)
    }
    if (size < this.offset) {
      // The file was cut (a torn last line removed when a resumed worker reopened it): re-read; seq filters.
      this.offset = 0;
      this.partial = '';
    }
    if (size === this.offset) return [];
    const handle = await open(this.file, 'r');
    let text: string;
    try {
      const buffer = Buffer.alloc(size - this.offset);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.offset);
      this.offset += bytesRead;
      text = this.partial + buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    const out: RunEvent[] = [];
    for (const line of lines) {
      if (!line.trim()) continue;
      let event: RunEvent;
      try {
        event = JSON.parse(line) as RunEvent;
      } catch {
        continue; // a torn line the writer will truncate
      }
      if (typeof event.seq !== 'number' || event.seq <= this.lastSeq) continue;
      this.lastSeq = event.seq;
      out.push(event);
    }
    return out;
  }
}
