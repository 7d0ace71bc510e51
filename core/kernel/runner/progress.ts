// Progress of one stage, as events: done/total, rate and ETA, throttled so events.jsonl stays small.
import type { ProgressReporter } from '../contract/context.js';
import type { EventLog } from './event-log.js';

const MIN_INTERVAL_MS = 500;

export class StageProgress implements ProgressReporter {
  private total = 0;
  private done = 0;
  private startDone = 0;
  private startedAt = Date.now();
  private lastEmit = 0;
  private label?: string;

  constructor(private readonly stage: string, private readonly events: EventLog) {}

  start(total: number, label?: string, done = 0): void {
    this.total = total;
    this.done = done;
    this.startDone = done;
    this.label = label;
    this.startedAt = Date.now();
    this.emit(true);
  }

  tick(count = 1): void {
    this.done += count;
    this.emit(this.done >= this.total);
  }

  status(message: string): void {
    this.events.emitEvent('progress', { stage: this.stage, done: this.done, total: this.total, message });
  }

  private emit(force: boolean): void {
    const now = Date.now();
    if (!force && now - this.lastEmit < MIN_INTERVAL_MS) return;
    this.lastEmit = now;
    const seconds = (now - this.startedAt) / 1000;
    const rate = seconds > 0 ? (this.done - this.startDone) / seconds : 0;
    const eta = rate > 0 ? Math.max(0, (this.total - this.done) / rate) : null;
    this.events.emitEvent('progress', {
      stage: this.stage,
      label: this.label,
      done: this.done,
      total: this.total,
      rate: Math.round(rate * 100) / 100,
      etaSeconds: eta === null ? null : Math.round(eta),
    });
  }
}
