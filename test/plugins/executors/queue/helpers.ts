// Real components for the queue tests: a redis-server on a free loopback port in a temp folder, `crucible
// worker` processes, and the 1,640 recorded Mistral samples as problems and candidates.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Candidate, Problem } from '../../../../core/kernel/contract/data.js';
import { packageRoot } from '../../../../core/util/package-root.js';
import { loadMistralSamples } from '../../../../bench/queue-samples.js';

const ROOT = packageRoot();
export const DATA = join(ROOT, 'data');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface RedisHandle {
  url: string;
  /** Stops the server (SIGKILL when `hard`, else a clean shutdown) and starts it again on the same port and folder. */
  restart(hard?: boolean): Promise<void>;
  stop(): Promise<void>;
}

/**
 * redis-server with append-only persistence; by default fsync on every write (`always`), so a killed server loses
 * nothing acknowledged. The benchmark passes `everysec`, Redis's default policy for an append-only file.
 */
export async function startRedis(options: { appendfsync?: 'always' | 'everysec' } = {}): Promise<RedisHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'crucible-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const launch = async () => {
    const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', options.appendfsync ?? 'always', '--protected-mode', 'yes'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child = proc;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const onData = (d: Buffer) => {
        out += d.toString();
        if (out.includes('Ready to accept connections')) resolve();
      };
      proc.stdout!.on('data', onData);
      proc.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out.slice(-500)}`)));
    });
  };
  const kill = async (signal: NodeJS.Signals) => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill(signal);
    });
  };
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    async restart(hard = true) {
      await kill(hard ? 'SIGKILL' : 'SIGTERM');
      await launch();
    },
    async stop() {
      await kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface WorkerHandle {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Starts `crucible worker` (from the sources, as the test runs) and waits until it consumes the queue. */
export async function startWorker(url: string, args: string[] = []): Promise<WorkerHandle> {
  const child = spawn(process.execPath, [...process.execArgv, join(ROOT, 'core', 'cli', 'main.ts'), 'worker', '--redis', url, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    // Its own session, as a worker started on its own would have (with scheduler autogroups, a session shares
    // one CPU slot: workers in the test's session would compete with it for one share on a busy machine).
    detached: true,
  });
  let output = '';
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (/worker \S+ on queue/.test(output)) {
        clearInterval(timer);
        resolve();
      }
    }, 50);
    child.once('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`worker exited (${code}): ${output}`));
    });
  });
  child.removeAllListeners('exit');
  return {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    },
  };
}

/** Strips the parts of an execution that depend on the machine's timing. */
export function verdict(e: { candidateId: string; status: string; passed: number; total: number; error?: string; tests: Array<{ id: string; outcome: string; error?: string }> }) {
  return { id: e.candidateId, status: e.status, passed: e.passed, total: e.total, error: e.error, tests: e.tests.map((t) => `${t.id}:${t.outcome}:${t.error ?? ''}`) };
}

/** The recorded Mistral-7B samples of the first `limit` HumanEval problems, through the `replay` generator's documented clean-up. */
export async function mistralSamples(limit = Infinity): Promise<Map<Problem, Candidate[]>> {
  return loadMistralSamples(DATA, limit);
}
