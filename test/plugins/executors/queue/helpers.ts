// Real components for the queue tests: a redis-server on a free loopback port in a temp folder, `crucible
// worker` processes, and the 1,640 recorded Mistral samples as problems and candidates.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Candidate, Problem } from '../../../../core/kernel/contract/data.js';
import { readJsonl } from '../../../../core/kernel/util/jsonl.js';
import { packageRoot } from '../../../../core/kernel/util/package-root.js';
import { createTestContext, instantiate } from '../../../../core/testing/index.js';
import humaneval from '../../../../plugins/datasets/humaneval.js';

const ROOT = packageRoot();
export const DATA = join(ROOT, '..', 'shared', 'data');
const SAMPLES = join(DATA, 'samples', 'humaneval_mistral-7b-instruct-v0.1_n10_t0.2.results.jsonl');

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

/** redis-server with append-only persistence (fsync on every write), so a killed server loses nothing acknowledged. */
export async function startRedis(): Promise<RedisHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'crucible-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const launch = async () => {
    const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--protected-mode', 'yes'], { stdio: ['ignore', 'pipe', 'pipe'] });
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

/** The recorded Mistral-7B samples (README clean-up) of the first `limit` HumanEval problems that have any. */
export async function mistralSamples(limit = Infinity): Promise<Map<Problem, Candidate[]>> {
  const problems = await (await instantiate<{ load(): Promise<Problem[]> }>(humaneval as never, { path: join(DATA, 'HumanEval.jsonl.gz') }, createTestContext())).load();
  const byId = new Map(problems.map((p) => [p.id, p]));
  const out = new Map<Problem, Candidate[]>();
  readJsonl<{ task_id: string; completion: string }>(SAMPLES).forEach(({ value: s }, i) => {
    const p = byId.get(s.task_id)!;
    if (!out.has(p) && out.size >= limit) return;
    const completion = cleanCompletion(s.completion);
    const list = out.get(p) ?? [];
    list.push({ id: `sample-${i}`, problemId: p.id, index: list.length, prompt: p.prompt, completion, code: p.prompt + completion });
    out.set(p, list);
  });
  return out;
}

/** The clean-up the samples' recorded verdicts were made with (shared/data/README.md, steps 1-4). */
function cleanCompletion(completion: string): string {
  let c = completion.replace(/"""[\s\S]*?"""/g, '').replace(/'''[\s\S]*?'''/g, '');
  c = c.replace(/END CODE/g, '\n');
  if (/^\w/.test(c)) c = '\t' + c;
  return c;
}
