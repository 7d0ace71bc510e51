// A fixed number of checker slots fed from one queue, two jobs written ahead per checker so the next candidate
// starts as soon as one finishes. A checker that dies is replaced on its slot's next job: the job it was running
// comes back as CheckerDied (reported as that candidate's RUNTIME_ERROR, never lost or silently retried); jobs
// queued behind it, which never started, go back to the queue.
import { CheckerDied, type CheckerJob, type CheckerProcess, type RawResult } from './checker-process.js';

export type Launch = (slot: number) => Promise<CheckerProcess>;

const DEPTH = 2;

interface Queued {
  job: CheckerJob;
  resolve(result: RawResult | CheckerDied): void;
  reject(error: Error): void;
}

interface Slot {
  checker?: CheckerProcess;
  starting?: Promise<CheckerProcess | undefined>;
  active: number;
}

export class CheckerPool {
  private readonly slots: Slot[];
  private readonly queue: Queued[] = [];
  private readonly inFlight = new Set<Queued>();
  private broken?: Error;

  constructor(size: number, private readonly launch: Launch, private readonly watchdogMs: (job: CheckerJob) => number) {
    this.slots = Array.from({ length: size }, () => ({ active: 0 }));
  }

  /** Pids of the live checkers. */
  pids(): number[] {
    return this.slots.flatMap((s) => (s.checker?.alive && s.checker.pid !== undefined ? [s.checker.pid] : []));
  }

  run(job: CheckerJob): Promise<RawResult | CheckerDied> {
    if (this.broken) return Promise.reject(this.broken);
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.dispatch();
    });
  }

  /** Kills every checker and rejects queued and in-flight jobs with `error`. */
  abort(error: Error): void {
    this.broken ??= error;
    for (const slot of this.slots) {
      slot.checker?.kill();
      slot.checker = undefined;
    }
    for (const item of [...this.queue.splice(0), ...this.inFlight]) item.reject(error);
    this.inFlight.clear();
  }

  private dispatch(): void {
    for (let depth = 1; depth <= DEPTH; depth++) {
      this.slots.forEach((slot, index) => {
        if (slot.active >= depth || this.queue.length === 0 || this.broken) return;
        const item = this.queue.shift()!;
        slot.active++;
        this.inFlight.add(item);
        void this.runOn(slot, index, item).finally(() => {
          this.inFlight.delete(item);
          slot.active--;
          this.dispatch();
        });
      });
    }
  }

  private async checkerFor(slot: Slot, index: number): Promise<CheckerProcess | undefined> {
    if (slot.checker?.alive) return slot.checker;
    slot.starting ??= this.launch(index).then(
      (checker) => {
        slot.checker = checker;
        return checker;
      },
      (error: Error) => {
        // The environment cannot run a checker at all (sandbox or node broken): fail everything, loudly.
        this.abort(error);
        return undefined;
      },
    ).finally(() => {
      slot.starting = undefined;
    });
    return slot.starting;
  }

  private async runOn(slot: Slot, index: number, item: Queued): Promise<void> {
    const checker = await this.checkerFor(slot, index);
    if (!checker || this.broken) return item.reject(this.broken ?? new Error('crucible: JavaScript checker unavailable'));
    try {
      item.resolve(await checker.run(item.job, this.watchdogMs(item.job)));
    } catch (error) {
      if (slot.checker === checker) {
        checker.kill();
        slot.checker = undefined;
      }
      if (this.broken) item.reject(this.broken);
      else if (error instanceof CheckerDied && !error.started) this.queue.unshift(item);
      else if (error instanceof CheckerDied) item.resolve(error);
      else item.reject(error as Error);
    }
  }

  /** Lets checkers finish and exit (closing their stdin stops their candidate processes), then kills what is left. */
  async close(): Promise<void> {
    const checkers = this.slots.flatMap((s) => (s.checker ? [s.checker] : []));
    for (const c of checkers) c.end();
    await Promise.race([Promise.all(checkers.map((c) => c.exitedPromise())), new Promise((r) => setTimeout(r, 2000))]);
    for (const slot of this.slots) {
      slot.checker?.kill();
      slot.checker = undefined;
    }
  }
}
