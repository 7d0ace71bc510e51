// A fixed number of fork-server slots fed from one queue. Each slot keeps up to DEPTH jobs written to its server,
// so the next candidate starts the moment one finishes (no round trip through the event loop in between).
// A slot whose server died is refilled on its next job: the job that was running comes back as a ServerDied
// result (reported, never lost or silently retried); jobs queued behind it go back to the queue.
import { ForkServer, ServerDied, type RawResult, type ServerJob } from './fork-server.js';

export type Launch = (slot: number) => Promise<ForkServer>;

const DEPTH = 2;

interface Queued {
  job: ServerJob;
  resolve(result: RawResult | ServerDied): void;
  reject(error: Error): void;
}

interface Slot {
  server?: ForkServer;
  starting?: Promise<ForkServer | undefined>;
  active: number;
}

export class Pool {
  private readonly slots: Slot[];
  private readonly queue: Queued[] = [];
  private readonly inFlight = new Set<Queued>();
  private broken?: Error;

  constructor(size: number, private readonly launch: Launch, private readonly watchdogMs: (job: ServerJob) => number) {
    this.slots = Array.from({ length: size }, () => ({ active: 0 }));
  }

  get size(): number {
    return this.slots.length;
  }

  /** Pids of the live fork-servers (for tests and diagnostics). */
  serverPids(): number[] {
    return this.slots.flatMap((s) => (s.server?.alive && s.server.pid !== undefined ? [s.server.pid] : []));
  }

  run(job: ServerJob): Promise<RawResult | ServerDied> {
    if (this.broken) return Promise.reject(this.broken);
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.dispatch();
    });
  }

  /** Stops everything: kills the servers and rejects queued and in-flight jobs with `error`. */
  abort(error: Error): void {
    this.broken ??= error;
    for (const slot of this.slots) {
      slot.server?.kill();
      slot.server = undefined;
    }
    for (const item of [...this.queue.splice(0), ...this.inFlight]) item.reject(error);
    this.inFlight.clear();
  }

  private dispatch(): void {
    // Fill every slot one job at a time, so that a short queue spreads over all workers.
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

  private async serverFor(slot: Slot, index: number): Promise<ForkServer | undefined> {
    if (slot.server?.alive) return slot.server;
    slot.starting ??= this.launch(index).then(
      (server) => {
        // Closed while it started: nothing may outlive close().
        if (this.broken) {
          server.kill();
          return undefined;
        }
        slot.server = server;
        return server;
      },
      (error: Error) => {
        // The environment cannot run a server at all (sandbox or interpreter broken): fail everything, loudly.
        this.abort(error);
        return undefined;
      },
    ).finally(() => {
      slot.starting = undefined;
    });
    return slot.starting;
  }

  private async runOn(slot: Slot, index: number, item: Queued): Promise<void> {
    const server = await this.serverFor(slot, index);
    if (!server || this.broken) return item.reject(this.broken ?? new Error('crucible: fork-server unavailable'));
    try {
      item.resolve(await server.run(item.job, this.watchdogMs(item.job)));
    } catch (error) {
      if (slot.server === server) {
        server.kill();
        slot.server = undefined;
      }
      if (this.broken) item.reject(this.broken);
      else if (error instanceof ServerDied && !error.started) this.queue.unshift(item); // never ran: run it elsewhere
      else if (error instanceof ServerDied) item.resolve(error);
      else item.reject(error as Error);
    }
  }

  /** Lets servers finish and exit (closes their stdin), then kills whatever is left. */
  async close(): Promise<void> {
    for (const slot of this.slots) slot.server?.end();
    await new Promise((r) => setTimeout(r, 50));
    // Kills what is left and refuses further work: a job still queued or retried after close must not start
    // a new fork-server (that kept a failed run's process alive for minutes).
    this.abort(new Error('crucible: the executor was closed'));
  }
}
