// A fixed number of fork-server slots fed from one queue. A slot whose server died is refilled on its next job;
// the job that was in flight comes back as a ServerDied result (reported, never lost or silently retried).
import { ForkServer, ServerDied, type RawResult, type ServerJob } from './fork-server.js';

export type Launch = (slot: number) => Promise<ForkServer>;

interface Queued {
  job: ServerJob;
  resolve(result: RawResult | ServerDied): void;
  reject(error: Error): void;
}

interface Slot {
  server?: ForkServer;
  busy: boolean;
}

export class Pool {
  private readonly slots: Slot[];
  private readonly queue: Queued[] = [];
  private readonly inFlight = new Set<Queued>();
  private broken?: Error;

  constructor(size: number, private readonly launch: Launch, private readonly watchdogMs: (job: ServerJob) => number) {
    this.slots = Array.from({ length: size }, () => ({ busy: false }));
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
    this.slots.forEach((slot, index) => {
      if (slot.busy || this.queue.length === 0 || this.broken) return;
      const item = this.queue.shift()!;
      slot.busy = true;
      this.inFlight.add(item);
      void this.runOn(slot, index, item).finally(() => {
        this.inFlight.delete(item);
        slot.busy = false;
        this.dispatch();
      });
    });
  }

  private async runOn(slot: Slot, index: number, item: Queued): Promise<void> {
    try {
      if (!slot.server?.alive) slot.server = await this.launch(index);
    } catch (error) {
      // The environment cannot run a server at all (sandbox or interpreter broken): fail everything, loudly.
      this.abort(error as Error);
      item.reject(error as Error);
      return;
    }
    if (this.broken) return item.reject(this.broken);
    try {
      item.resolve(await slot.server.run(item.job, this.watchdogMs(item.job)));
    } catch (error) {
      slot.server?.kill();
      slot.server = undefined;
      if (error instanceof ServerDied && !this.broken) item.resolve(error);
      else item.reject(this.broken ?? (error as Error));
    }
  }

  /** Lets servers finish and exit (closes their stdin), then kills whatever is left. */
  async close(): Promise<void> {
    for (const slot of this.slots) {
      slot.server?.end();
    }
    await new Promise((r) => setTimeout(r, 50));
    for (const slot of this.slots) {
      slot.server?.kill();
      slot.server = undefined;
    }
  }
}
