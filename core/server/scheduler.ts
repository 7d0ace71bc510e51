// The durable queue's consumer: claims QUEUED runs from the SQLite index up to the concurrency limit and
// executes each in a worker child process, detached into its own process group so that cancelling or
// stopping kills the run's executors too.
import { spawn, type ChildProcess } from 'node:child_process';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger as PinoLogger } from 'pino';
import { CrucibleError } from '../kernel/errors.js';
import { FINAL_STATES, type RunRow, type RunState } from '../store/run-index.js';
import type { RunStore } from '../store/run-store.js';
import { appendStateEvent, cancelRun } from '../store/cancel.js';
import { workerEnv } from './worker-env.js';

interface Active {
  child: ChildProcess;
  cancelRequested: boolean;
  exited: Promise<void>;
  graceTimer?: NodeJS.Timeout;
}

/** How often runs whose process died (a killed `crucible run`) are looked for while the server is up. */
const SWEEP_MS = 2000;
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
    private readonly options: { maxConcurrent: number; cancelGraceMs: number; logger: PinoLogger; onRestart: 'resume' | 'leave'; passEnv?: readonly string[] },
  ) {}

  /**
   * Recovers runs whose executing process is gone (a crash before this start, or a `crucible run` killed while we
   * are up), then keeps checking: they are re-queued or left FAILED-resumable per `onRestart`. Runs a live process
   * executes (our workers, a CLI in a terminal) are left alone.
   */
  start(): void {
    this.sweep();
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
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
      // The run executes code a token holder chose: it inherits no secret of the server (worker-env.ts).
      env: workerEnv(process.env, this.options.passEnv),
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
    appendStateEvent(this.store, id, state, error);
  }

  /**
   * Our own runs: RUNNING -> CANCELLING, SIGTERM to the worker, group kill after the grace period. Others (queued,
   * or executed by a `crucible run` on this machine) are cancelled as `crucible cancel` does.
   */
  cancel(id: string): RunRow {
    const entry = this.active.get(id);
    const { state } = this.store.row(id);
    if (!entry || (state !== 'RUNNING' && state !== 'CANCELLING')) return cancelRun(this.store, id);
    if (!entry.cancelRequested) {
      entry.cancelRequested = true;
      this.store.index.setState(id, 'CANCELLING');
      entry.child.kill('SIGTERM');
      entry.graceTimer = setTimeout(() => killGroup(entry.child.pid), this.options.cancelGraceMs);
    }
    return this.store.row(id);
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
