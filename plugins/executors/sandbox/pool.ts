// A fixed number of slots, each one warm process (a Python fork-server, a JavaScript checker), fed from one queue.
// Each slot keeps up to DEPTH jobs written to its process, so the next candidate starts the moment one finishes (no
// round trip through the event loop in between). A slot whose process died is refilled on its next job: the job that
// was running comes back as the process's "died" error (reported as that candidate's RUNTIME_ERROR, never lost or
// silently retried); jobs queued behind it, which never started, go back to the queue.

/** What the pool needs of one warm process. */
export interface PoolProcess<Job, Result> {
  readonly alive: boolean;
  readonly pid: number | undefined;
  /** Rejects with the process's died error when it dies or misses `watchdogMs` on this job. */
  run(job: Job, watchdogMs: number): Promise<Result>;
  kill(): void;
  /** Closes its stdin: it finishes its current job and exits. */
  end(): void;
  /** Resolves once it has exited (when the process can say so; else close() waits its grace time out). */
  exitedPromise?(): Promise<void>;
}

/** The process died with a job in flight; `started` is false for a job queued behind the running one. */
export interface DiedError extends Error {
  readonly started: boolean;
}

export interface PoolOptions<Job, Result, Died extends DiedError, Proc extends PoolProcess<Job, Result>> {
  size: number;
  /** Starts slot `slot`'s process; a rejection means the environment cannot run one at all and fails every job. */
  launch(slot: number): Promise<Proc>;
  /** Wall milliseconds after which a job without an answer counts as a dead process. */
  watchdogMs(job: Job): number;
  /** Tells the process's died error from any other failure. */
  isDied(error: unknown): error is Died;
  /** Names the process in the error of a job that found no process ("JavaScript checker", "fork-server"). */
  what: string;
  /** How long close() lets the processes finish and exit before it kills them. */
  closeGraceMs: number;
}

const DEPTH = 2;

interface Queued<Job, Result, Died> {
  job: Job;
  resolve(result: Result | Died): void;
  reject(error: Error): void;
}

interface Slot<Proc> {
  proc?: Proc;
  starting?: Promise<Proc | undefined>;
  active: number;
}

export class ProcessPool<Job, Result, Died extends DiedError, Proc extends PoolProcess<Job, Result>> {
  private readonly slots: Array<Slot<Proc>>;
  private readonly queue: Array<Queued<Job, Result, Died>> = [];
  private readonly inFlight = new Set<Queued<Job, Result, Died>>();
  private broken?: Error;

  constructor(private readonly options: PoolOptions<Job, Result, Died, Proc>) {
    this.slots = Array.from({ length: options.size }, () => ({ active: 0 }));
  }

  get size(): number {
    return this.slots.length;
  }

  /** Pids of the live processes (for tests and diagnostics). */
  pids(): number[] {
    return this.slots.flatMap((s) => (s.proc?.alive && s.proc.pid !== undefined ? [s.proc.pid] : []));
  }

  run(job: Job): Promise<Result | Died> {
    if (this.broken) return Promise.reject(this.broken);
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.dispatch();
    });
  }

  /** Stops everything: kills the processes and rejects queued and in-flight jobs with `error`. */
  abort(error: Error): void {
    this.broken ??= error;
    for (const slot of this.slots) {
      slot.proc?.kill();
      slot.proc = undefined;
    }
    for (const item of [...this.queue.splice(0), ...this.inFlight]) item.reject(error);
    this.inFlight.clear();
  }

  private dispatch(): void {
    // Fill every slot one job at a time, so that a short queue spreads over all processes.
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

  private async processFor(slot: Slot<Proc>, index: number): Promise<Proc | undefined> {
    if (slot.proc?.alive) return slot.proc;
    slot.starting ??= this.options.launch(index).then(
      (proc) => {
        // Closed while it started: nothing may outlive close().
        if (this.broken) {
          proc.kill();
          return undefined;
        }
        slot.proc = proc;
        return proc;
      },
      (error: Error) => {
        // The environment cannot run the process at all (sandbox or runtime broken): fail everything, loudly.
        this.abort(error);
        return undefined;
      },
    ).finally(() => {
      slot.starting = undefined;
    });
    return slot.starting;
  }

  private async runOn(slot: Slot<Proc>, index: number, item: Queued<Job, Result, Died>): Promise<void> {
    const proc = await this.processFor(slot, index);
    if (!proc || this.broken) return item.reject(this.broken ?? new Error(`crucible: ${this.options.what} unavailable`));
    try {
      item.resolve(await proc.run(item.job, this.options.watchdogMs(item.job)));
    } catch (error) {
      if (slot.proc === proc) {
        proc.kill();
        slot.proc = undefined;
      }
      if (this.broken) item.reject(this.broken);
      else if (this.options.isDied(error) && !error.started) this.queue.unshift(item); // never ran: run it elsewhere
      else if (this.options.isDied(error)) item.resolve(error);
      else item.reject(error as Error);
    }
  }

  /** Lets the processes finish and exit (closes their stdin), then kills whatever is left and refuses further work. */
  async close(): Promise<void> {
    const running = this.slots.flatMap((s) => (s.proc ? [s.proc] : []));
    for (const proc of running) proc.end();
    const grace = new Promise((resolve) => setTimeout(resolve, this.options.closeGraceMs));
    const exits = running.map((p) => p.exitedPromise?.() ?? grace);
    await Promise.race([Promise.all(exits), grace]);
    // A job still queued or retried after close must not start a new process (that kept a failed run's process
    // alive for minutes).
    this.abort(new Error('crucible: the executor was closed'));
  }
}
