// One warm process seen from crucible, as both executors run theirs (a Python fork-server, a JavaScript checker):
// start it (inside bubblewrap or plain) in its own process group, wait for its ready line, write jobs to its stdin,
// read its answers as JSON lines from its stdout (a channel no candidate code can reach), keep the tail of its stderr
// for errors, and notice its death: an exit, or no answer to the running job within its watchdog time. What a job
// looks like on the wire, and which error a death is, belong to the executor.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { CrucibleError } from 'crucible-ml';

export interface LaunchSpec {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Describes the launch in errors ("bwrap sandbox, /usr/bin/python3.11", "/usr/bin/node without sandbox"). */
  label: string;
}

/** `executable args` inside bubblewrap; the label makes a start error a CRUCIBLE_E_SANDBOX one. */
export function bwrapLaunch(bwrap: string, bwrapArgs: string[], executable: string, args: string[], env: NodeJS.ProcessEnv): LaunchSpec {
  return { command: bwrap, args: [...bwrapArgs, executable, ...args], env, label: `bwrap sandbox, ${executable}` };
}

/** `executable args` without bubblewrap (sandbox "off", or "auto" where bubblewrap is missing or cannot start). */
export function plainLaunch(executable: string, args: string[], env: NodeJS.ProcessEnv): LaunchSpec {
  return { command: executable, args, env, label: `${executable} without sandbox` };
}

/** How a start error names the process. */
export interface LineProcessNames {
  /** "the Python fork-server" */
  what: string;
  /** The hint of a start error when the process ran without bubblewrap. */
  plainHint: string;
}

/** A job written and not yet answered. */
interface Pending<Result> {
  resolve(r: Result): void;
  reject(e: Error): void;
  watchdogMs: number;
}

/** What one job is on the wire: a JSON line, and bytes that follow it. */
export interface Frame {
  line: unknown;
  data?: Buffer;
}

const STDERR_KEEP = 4000;

export abstract class LineProcess<Info, Result> {
  private readonly child: ChildProcessWithoutNullStreams;
  private out = '';
  private errTail = '';
  /** Jobs written to the process, oldest (running) first; the next one waits in its stdin so it starts at once. */
  private readonly pending: Array<Pending<Result>> = [];
  private timer?: NodeJS.Timeout;
  private exited?: string;
  private readyWaiter?: { resolve(info: Info): void; reject(e: Error): void };

  /** Spawns the process in its own process group; the subclass's `start` then waits for `ready`. */
  protected constructor(private readonly spec: LaunchSpec, private readonly names: LineProcessNames) {
    const child = spawn(spec.command, spec.args, { stdio: 'pipe', detached: true, env: spec.env });
    this.child = child;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => this.onData(chunk));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      this.errTail = (this.errTail + chunk).slice(-STDERR_KEEP);
    });
    child.stdin.on('error', () => undefined); // EPIPE when it died: reported through 'exit'
    child.on('error', (error) => this.onExit(`cannot start ${spec.command}: ${error.message}`));
    child.on('exit', (code, signal) => this.onExit(signal ? `killed by ${signal}` : `exited with code ${code}`));
  }

  /**
   * Waits for the ready line (the process's first JSON line, returned); a CRUCIBLE_E_SANDBOX (launched in bwrap) or
   * CRUCIBLE_E_EXECUTOR error when the process exits first or is not ready in `startTimeoutMs`.
   */
  protected ready(startTimeoutMs: number): Promise<Info> {
    return new Promise<Info>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.kill();
        reject(this.startError('did not become ready in time'));
      }, startTimeoutMs);
      this.readyWaiter = {
        resolve: (i) => { clearTimeout(timer); resolve(i); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      };
    });
  }

  /** The error a job gets when the process died or missed its watchdog: `started` is false for a job queued behind. */
  protected abstract died(reason: string, started: boolean): Error;

  /** Sees each answer before its job gets it (and before the next job's watchdog is armed). */
  protected onAnswer(_result: Result): void {}

  get alive(): boolean {
    return this.exited === undefined;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Jobs written and not yet answered. */
  get inFlight(): number {
    return this.pending.length;
  }

  /**
   * Writes one job (`frame` encodes it, once it is queued) and resolves with its answer; several may be written: the
   * process answers them in order. Rejects with the executor's died error when the process dies or misses
   * `watchdogMs` on this job once it runs.
   */
  protected send(frame: () => Frame, watchdogMs: number): Promise<Result> {
    if (this.exited !== undefined) return Promise.reject(this.died(this.exited, false));
    return new Promise<Result>((resolve, reject) => {
      this.pending.push({ resolve, reject, watchdogMs });
      if (this.pending.length === 1) this.arm();
      const { line, data } = frame();
      this.child.stdin.write(JSON.stringify(line) + '\n');
      if (data) this.child.stdin.write(data);
    });
  }

  private arm(): void {
    clearTimeout(this.timer);
    const head = this.pending[0];
    if (!head) return;
    this.timer = setTimeout(() => {
      this.kill();
      this.fail(`no answer within ${Math.round(head.watchdogMs / 1000)} s (watchdog)`);
    }, head.watchdogMs);
  }

  /** Kills the process group; bwrap's PID namespace takes the candidate's processes and anything they started. */
  kill(): void {
    const pid = this.child.pid;
    if (pid === undefined || this.exited !== undefined) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      this.child.kill('SIGKILL');
    }
  }

  /** Closes stdin: the process finishes its current job and exits. */
  end(): void {
    this.child.stdin.end();
  }

  /** Resolves once the process has exited. */
  protected whenExited(): Promise<void> {
    if (this.exited !== undefined) return Promise.resolve();
    return new Promise((resolve) => this.child.once('exit', () => resolve()));
  }

  private startError(reason: string): CrucibleError {
    const tail = this.errTail.trim().split('\n').slice(-5).join(' | ');
    const sandboxed = this.spec.label.includes('bwrap');
    return CrucibleError.at(sandboxed ? 'CRUCIBLE_E_SANDBOX' : 'CRUCIBLE_E_EXECUTOR', {
      message: `${this.names.what} (${this.spec.label}) ${reason}${tail ? `: ${tail}` : ''}`,
      path: 'stages.executor.config.sandbox',
      hint: sandboxed
        ? 'bubblewrap could not create its namespaces here; allow unprivileged user namespaces or set sandbox to "off"'
        : this.names.plainHint,
    });
  }

  private onData(chunk: string): void {
    this.out += chunk;
    let nl: number;
    while ((nl = this.out.indexOf('\n')) >= 0) {
      const line = this.out.slice(0, nl);
      this.out = this.out.slice(nl + 1);
      let message: unknown;
      try {
        message = JSON.parse(line);
      } catch {
        continue; // nothing else writes to this pipe; a torn line is dropped rather than crash
      }
      if (this.readyWaiter) {
        const waiter = this.readyWaiter;
        this.readyWaiter = undefined;
        waiter.resolve(message as Info);
      } else {
        const head = this.pending.shift();
        this.onAnswer(message as Result);
        this.arm();
        head?.resolve(message as Result);
      }
    }
  }

  private onExit(reason: string): void {
    if (this.exited !== undefined) return;
    this.exited = reason;
    if (this.readyWaiter) {
      const waiter = this.readyWaiter;
      this.readyWaiter = undefined;
      waiter.reject(this.startError(reason));
    }
    this.fail(reason);
  }

  /** The running job gets died(started); the ones queued behind it get died(not started). */
  private fail(reason: string): void {
    clearTimeout(this.timer);
    const [head, ...rest] = this.pending.splice(0);
    head?.reject(this.died(reason, true));
    for (const p of rest) p.reject(this.died(reason, false));
  }
}
