// Waits for batch jobs to finish. Queue events answer at once; a periodic check of every pending job covers
// what events cannot: events missed across a Redis restart, results that were already there (a resumed run),
// a job lost by a Redis without persistence (added again), and a queue that no live worker accepts. While
// events flow on an unbroken connection the per-job check runs only every FULL_CHECK_TICKS ticks: checking
// hundreds of pending jobs every tick cost the submitting machine as many Redis calls as the batches themselves.
// A batch's state is read at submit only when its add found the job there already (BullMQ's 'duplicated' event:
// a resumed run, or a batch another run queued); a job the add created ('added') has no result yet, and a job
// whose add event went missing is read by the per-job check (an add event lags while the submitter is busy: reading
// every job not yet announced on each tick cost more than the reads it saved). The batch is waited for before it
// is added, so that no event of it can come first.
import { Job, type Queue, type QueueEvents } from 'bullmq';
import { CrucibleError } from 'crucible-ml';
import type { BatchJob, BatchResult, DeclaredEnvironment, WorkerEnvironment } from './protocol.js';
import { environmentMismatch } from './protocol.js';
import type { WorkerDirectory } from './directory.js';

interface Pending {
  data: BatchJob;
  /** Whether the job's state was read once (a job found failed on the first read gets its tries again). */
  seen: boolean;
  resolve(result: BatchResult): void;
  reject(error: Error): void;
}

export interface TrackerOptions {
  queue: Queue;
  events: QueueEvents;
  directory: WorkerDirectory;
  environment: DeclaredEnvironment;
  addJob(jobId: string, data: BatchJob): Promise<void>;
  attempts: number;
  noWorkerMs: number;
  pollMs?: number;
  /** Connections whose drop may lose events (the per-job check then runs on the next tick). */
  connections?: Array<{ on(event: 'close', listener: () => void): unknown }>;
}

/** Ticks between per-job checks while events arrive and no connection dropped (a backstop, not the answer). */
const FULL_CHECK_TICKS = 10;

export class JobTracker {
  private readonly pending = new Map<string, Pending>();
  private readonly timer: NodeJS.Timeout;
  private checking = false;
  private noWorkerSince: number | undefined;
  private closed = false;
  private failure: Error | undefined;
  /** Whether an event arrived, or a connection dropped, since the last tick / the last per-job check. */
  private eventSinceTick = false;
  private droppedSinceCheck = false;
  private ticksSinceCheck = 0;
  /** Pending jobs whose add event has not arrived yet. */
  private readonly unseen = new Set<string>();

  constructor(private readonly options: TrackerOptions) {
    options.events.on('completed', ({ jobId, returnvalue }) => {
      this.eventSinceTick = true;
      this.settle(jobId, returnvalue as unknown as BatchResult);
    });
    options.events.on('added', ({ jobId }) => this.announce(jobId, 'added'));
    options.events.on('duplicated', ({ jobId }) => this.announce(jobId, 'duplicated'));
    options.events.on('failed', ({ jobId }) => {
      this.eventSinceTick = true;
      void this.checkOne(jobId);
    });
    for (const connection of options.connections ?? []) connection.on('close', () => (this.droppedSinceCheck = true));
    this.timer = setInterval(() => void this.checkAll(), options.pollMs ?? 2000);
    this.timer.unref();
  }

  /** Resolves with the batch's result; call it before adding the job under `jobId` (or finding it there). */
  wait(jobId: string, data: BatchJob): Promise<BatchResult> {
    return new Promise<BatchResult>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      // The first batch after an idle spell: no event could have come in the tick before, which is not a silence.
      if (this.pending.size === 0) this.eventSinceTick = true;
      this.pending.set(jobId, { data, resolve, reject, seen: false });
      this.unseen.add(jobId);
    });
  }

  /** The add of a waited-for job failed: its wait fails with `error`. */
  abandon(jobId: string, error: Error): void {
    const p = this.pending.get(jobId);
    if (!p) return;
    this.pending.delete(jobId);
    this.unseen.delete(jobId);
    p.reject(error);
  }

  private announce(jobId: string, word: 'added' | 'duplicated'): void {
    this.eventSinceTick = true;
    const p = this.pending.get(jobId);
    if (!p || !this.unseen.delete(jobId)) return;
    if (word === 'added') p.seen = true;
    else void this.checkOne(jobId);
  }

  close(reason: Error): void {
    this.closed = true;
    this.failure ??= reason;
    this.unseen.clear();
    clearInterval(this.timer);
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(reason);
      // Nobody waits for it any more: take it off the queue unless a worker holds it (remove refuses locked jobs).
      void this.options.queue.remove(id).catch(() => undefined);
    }
  }

  private settle(jobId: string, result: BatchResult | undefined): void {
    const p = this.pending.get(jobId);
    if (!p || !result || !Array.isArray(result.executions)) return;
    this.pending.delete(jobId);
    p.resolve(result);
  }

  private async checkOne(jobId: string): Promise<void> {
    const p = this.pending.get(jobId);
    if (!p || this.closed) return;
    this.unseen.delete(jobId);
    const first = !p.seen;
    try {
      // The state alone first (one script call): fetching the job would carry its candidates back for every batch.
      const state = await this.options.queue.getJobState(jobId);
      p.seen = true;
      if (state !== 'completed' && state !== 'failed' && state !== 'unknown') return;
      const job = await Job.fromId<BatchJob, BatchResult>(this.options.queue, jobId);
      if (!job) {
        // Gone: Redis lost it (no persistence) or it expired. Adding it again is safe: ids make adds idempotent.
        await this.options.addJob(jobId, p.data);
        return;
      }
      if (state === 'completed') return this.settle(jobId, job.returnvalue);
      if (state === 'failed') {
        // A batch that failed in an earlier run (or before a resume) gets its tries again.
        if (first) return void (await job.retry('failed'));
        if (job.attemptsMade >= this.options.attempts || /stalled more than allowable limit|CRUCIBLE_E_/.test(job.failedReason ?? '')) {
          this.pending.delete(jobId);
          p.reject(new CrucibleError('CRUCIBLE_E_EXECUTOR', `batch ${job.data.index + 1}/${job.data.count} of problem "${job.data.problem.id}" failed on the workers after ${job.attemptsMade} attempt(s): ${job.failedReason}`));
        }
      }
    } catch (error) {
      if (this.closed) return;
      // Redis is unreachable: the periodic check tries again once it is back.
      void error;
    }
  }

  private async checkAll(): Promise<void> {
    if (this.checking || this.closed || this.pending.size === 0) return;
    this.checking = true;
    try {
      const quiet = !this.eventSinceTick;
      this.eventSinceTick = false;
      if (quiet || this.droppedSinceCheck || ++this.ticksSinceCheck >= FULL_CHECK_TICKS) {
        this.droppedSinceCheck = false;
        this.ticksSinceCheck = 0;
        for (const id of [...this.pending.keys()]) await this.checkOne(id);
      }
      await this.checkWorkers();
    } finally {
      this.checking = false;
    }
  }

  /** Fails every pending batch when, for noWorkerMs, no live worker accepts the declared environment. */
  private async checkWorkers(): Promise<void> {
    if (this.pending.size === 0) return;
    let live: WorkerEnvironment[];
    try {
      live = await this.options.directory.live();
    } catch {
      return;
    }
    if (live.some((w) => !environmentMismatch(this.options.environment, w))) {
      this.noWorkerSince = undefined;
      return;
    }
    this.noWorkerSince ??= Date.now();
    if (Date.now() - this.noWorkerSince < this.options.noWorkerMs) return;
    const refused = live.map((w) => `${w.id} (${w.host}): ${environmentMismatch(this.options.environment, w)}`);
    const error = new CrucibleError(
      'CRUCIBLE_E_WORKER',
      live.length
        ? `no live worker accepts this run's environment ${JSON.stringify(this.options.environment)}; refused: ${refused.join('; ')}`
        : `no worker has been live on queue "${this.options.queue.name}" for ${Math.round(this.options.noWorkerMs / 1000)} s`,
      [{ message: 'start workers whose sandbox and versions match, or change the declared environment', path: 'stages.executor.config.environment', hint: 'crucible worker --redis URL --queue NAME' }],
    );
    this.close(error);
  }
}
