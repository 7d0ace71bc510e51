// The durable queue's consumer: claims QUEUED runs from the SQLite index up to the concurrency limit and
// executes each in a worker child process, detached into its own process group so that cancelling or
// stopping kills the run's executors too.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger as PinoLogger } from 'pino';
import { CrucibleError } from '../errors.js';
import { EventLog } from '../store/event-log.js';
import { FINAL_STATES, type RunRow, type RunState } from '../store/run-index.js';
import type { RunStore } from '../store/run-store.js';
import { describeOwner, ownerAlive } from '../store/run-owner.js';

interface Active {
  child: ChildProcess;
  cancelRequested: boolean;
  exited: Promise<void>;
  graceTimer?: NodeJS.Timeout;
}

const here = fileURLToPath(import.meta.url);
const WORKER = join(here, '..', `worker${extname(here)}`);

export function killGroup(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

export class Scheduler {
  private readonly active = new Map<string, Active>();
  private stopping = false;
  private sweeper?: NodeJS.Timeout;

  constructor(
    private readonly store: RunStore,
    private readonly options: { maxConcurrent: number; cancelGraceMs: number; logger: PinoLogger; onRestart: 'resume' | 'leave'; sweepMs?: number },
  ) {}

  /**
   * Recovers runs whose executing process is gone (a crash before this start, or a `crucible run` killed while we
   * are up), then keeps checking: they are re-queued or left FAILED-resumable per `onRestart`. Runs a live process
   * executes (our workers, a CLI in a terminal) are left alone.
   */
  start(): void {
    this.sweep();
    this.sweeper = setInterval(() => this.sweep(), this.options.sweepMs ?? 2000);
    this.sweeper.unref();
    this.tick();
  }

  private sweep(): void {
    if (this.stopping) return;
    const recovered = this.store.index.recoverInterrupted(this.options.onRestart === 'resume', new Set(this.active.keys()));
    if (!recovered.length) return;
    this.options.logger.warn({ runs: recovered.map((r) => r.id), action: this.options.onRestart }, 'recovered interrupted runs');
    this.tick();
  }

  isActive(id: string): boolean {
    return this.active.has(id);
  }

  workerPid(id: string): number | undefined {
    return this.active.get(id)?.child.pid;
  }

  /** Starts queued runs while slots are free. Synchronous claim + spawn: no two ticks can take the same run. */
  tick(): void {
    while (!this.stopping && this.active.size < this.options.maxConcurrent) {
      const row = this.store.index.claimNext();
      if (!row) return;
      this.launch(row.id);
    }
  }

  private launch(id: string): void {
    const log = this.options.logger.child({ run: id });
    const child = spawn(process.execPath, [...process.execArgv.filter((a) => !a.startsWith('--inspect')), WORKER, this.store.root, id], {
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { ...process.env, CRUCIBLE_TOKEN: undefined },
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < 8192) stderr += chunk.toString('utf8');
    });
    let done!: () => void;
    const exited = new Promise<void>((r) => (done = r));
    const entry: Active = { child, cancelRequested: false, exited };
    this.active.set(id, entry);
    log.info({ pid: child.pid }, 'run started');
    child.on('error', (error) => {
      log.error({ err: error }, 'worker failed to start');
      if (child.pid !== undefined) return; // a started child still reports through 'exit'
      this.active.delete(id);
      this.settle(id, false, null, null);
      done();
    });
    child.on('exit', (code, signal) => {
      clearTimeout(entry.graceTimer);
      this.active.delete(id);
      killGroup(child.pid); // executors the run left behind die with the group
      if (stderr) log.warn({ stderr: stderr.slice(0, 8192) }, 'worker stderr');
      if (!this.stopping) this.settle(id, entry.cancelRequested, code, signal);
      log.info({ code, signal }, 'worker exited');
      done();
      setImmediate(() => this.tick());
    });
  }

  /** A worker that died without writing a final state (crash, kill after the grace period) gets one here. */
  private settle(id: string, cancelled: boolean, code: number | null, signal: NodeJS.Signals | null): void {
    const row = this.store.index.get(id);
    if (!row || FINAL_STATES.includes(row.state)) return;
    const state: RunState = cancelled || row.state === 'CANCELLING' ? 'CANCELLED' : 'FAILED';
    const error =
      state === 'CANCELLED'
        ? { code: 'CRUCIBLE_E_CANCELLED', message: 'cancelled (the worker was stopped)' }
        : { code: 'CRUCIBLE_E_STAGE', message: `the run's worker exited unexpectedly (${signal ?? `code ${code}`}); resume it to continue` };
    this.store.index.setState(id, state, { error });
    this.appendStateEvent(id, state, error);
  }

  private appendStateEvent(id: string, state: RunState, error: { code: string; message: string }): void {
    const dir = this.store.runDir(id);
    if (!existsSync(dir)) return;
    const events = new EventLog(join(dir, 'events.jsonl'));
    try {
      events.emitEvent('state', { state, error: { ...error, details: [] } });
    } finally {
      events.close();
    }
  }

  /** QUEUED -> CANCELLED at once; RUNNING -> CANCELLING, SIGTERM to the worker, group kill after the grace period. */
  cancel(id: string): RunRow {
    const row = this.store.row(id);
    if (row.state === 'QUEUED') {
      const error = { code: 'CRUCIBLE_E_CANCELLED', message: 'cancelled before it started' };
      this.store.index.setState(id, 'CANCELLED', { error });
      this.appendStateEvent(id, 'CANCELLED', error);
    } else if (row.state === 'RUNNING' || row.state === 'CANCELLING') {
      const entry = this.active.get(id);
      if (!entry) return this.cancelOutside(row);
      if (!entry.cancelRequested) {
        entry.cancelRequested = true;
        this.store.index.setState(id, 'CANCELLING');
        entry.child.kill('SIGTERM');
        entry.graceTimer = setTimeout(() => killGroup(entry.child.pid), this.options.cancelGraceMs);
      }
    } else {
      throw CrucibleError.at('CRUCIBLE_E_RUN_STATE', { message: `run ${id} is already ${row.state}` });
    }
    return this.store.row(id);
  }

  /** A run another process on this machine executes (`crucible run`): SIGTERM asks it to cancel, as Ctrl-C does. */
  private cancelOutside(row: RunRow): RunRow {
    const owner = row.owner;
    if (owner && ownerAlive(owner)) {
      try {
        process.kill(owner.pid, 'SIGTERM');
      } catch {
        throw CrucibleError.at('CRUCIBLE_E_RUN_STATE', { message: `run ${row.id} is being executed by ${describeOwner(owner)}, which this server cannot signal`, hint: 'cancel it where it runs' });
      }
      this.store.index.setState(row.id, 'CANCELLING');
    } else {
      // Nobody executes it any more (its process died): there is nothing to stop.
      const error = { code: 'CRUCIBLE_E_CANCELLED', message: 'cancelled (its process had already stopped)' };
      this.store.index.setState(row.id, 'CANCELLED', { error });
      this.appendStateEvent(row.id, 'CANCELLED', error);
    }
    return this.store.row(row.id);
  }

  /** A FAILED or CANCELLED run goes back to the queue; running it again skips finished stages. */
  resume(id: string): RunRow {
    const row = this.store.row(id);
    if (row.state !== 'FAILED' && row.state !== 'CANCELLED') {
      throw CrucibleError.at('CRUCIBLE_E_RUN_STATE', { message: `run ${id} is ${row.state}; only FAILED or CANCELLED runs resume` });
    }
    this.store.index.setState(id, 'QUEUED', { error: null });
    this.tick();
    return this.store.row(id);
  }

  /** Server shutdown: kill every worker group and leave the runs RUNNING, so the next start recovers them. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.sweeper);
    const waits = [...this.active.values()].map((a) => {
      killGroup(a.child.pid);
      return a.exited;
    });
    await Promise.race([Promise.all(waits), new Promise((r) => setTimeout(r, 5000))]);
  }
}
