// Faults with real components: a worker SIGKILLed in the middle of a batch, and redis-server killed and
// restarted (append-only file, fsync always) while batches run. Nothing is lost or duplicated and the verdicts
// are the local executor's.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import type { Candidate, Problem } from '../../../../core/kernel/contract/data.js';
import { createTestContext, instantiate } from '../../../../core/testing/index.js';
import python, { type PythonExecutor } from '../../../../plugins/executors/python/index.js';
import queuePlugin, { type QueueExecutor } from '../../../../plugins/executors/queue/index.js';
import { startRedis, startWorker, verdict, type RedisHandle, type WorkerHandle } from './helpers.js';

// Candidates that burn ~0.1-0.3 s of CPU each, so a batch of 3 is still running when the worker is killed.
const EXECUTOR = { plugin: 'python', config: { testTimeoutSeconds: 3, workers: 1 } };
const BUSY = (k: number) => `    n = 0\n    for i in range(${k}00000):\n        n += i\n`;
function slowProblems(count: number): Map<Problem, Candidate[]> {
  const out = new Map<Problem, Candidate[]>();
  for (let p = 0; p < count; p++) {
    const problem: Problem = { id: `slow/${p}`, prompt: '', entryPoint: 'f', language: 'python', meta: {}, tests: [{ id: 't0', code: `assert f(${p}) == ${p + 1}` }, { id: 't1', code: 'assert f(-1) == 0' }] };
    const codes = [
      `def f(x):\n${BUSY(10 + p)}    return x + 1\n`,
      `def f(x):\n${BUSY(12 + p)}    return x + (1 if x >= 0 else 2)\n`,
      `def f(x):\n${BUSY(8 + p)}    return [][x]\n`,
    ];
    out.set(problem, codes.map((code, i) => ({ id: `slow/${p}#${i}`, problemId: problem.id, index: i, prompt: '', completion: code, code })));
  }
  return out;
}

async function localVerdicts(samples: Map<Problem, Candidate[]>) {
  const local = await instantiate<PythonExecutor>(python as never, EXECUTOR.config);
  try {
    return (await Promise.all([...samples].map(([p, c]) => local.execute(p, c)))).flat().map(verdict);
  } finally {
    await local.close?.();
  }
}

const until = async (what: string, check: () => boolean, ms = 60_000) => {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

interface Setup { redis: RedisHandle; workers: WorkerHandle[] }
async function setup(queue: string): Promise<Setup> {
  const redis = await startRedis();
  const args = ['--queue', queue, '--concurrency', '1', '--lock-seconds', '2', '--log-batches'];
  const workers = await Promise.all([startWorker(redis.url, ['--id', 'a', ...args]), startWorker(redis.url, ['--id', 'b', ...args])]);
  return { redis, workers };
}
async function teardown({ redis, workers }: Setup): Promise<void> {
  await Promise.all(workers.map((w) => w.stop()));
  await redis.stop();
}

function batchLog(ctx: ReturnType<typeof createTestContext>) {
  return readFileSync(ctx.files.path('queue-batches.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { batch: string; candidates: string[]; worker: string });
}

test('a worker SIGKILLed mid-batch: the other worker runs that batch after the lock expires; nothing lost or duplicated; verdicts equal local', async () => {
  const samples = slowProblems(6);
  const expected = await localVerdicts(samples);
  const env = await setup('kill');
  const [a, b] = env.workers;
  try {
    const ctx = createTestContext();
    const executor = await instantiate<QueueExecutor>(queuePlugin as never, { redis: env.redis.url, queue: 'kill', batchSize: 3, executor: EXECUTOR }, ctx);
    try {
      const running = Promise.all([...samples].map(([p, c]) => executor.execute(p, c)));
      await until('worker a to start a batch', () => /start \S+/.test(a.output()));
      const killedBatch = /start (\S+)/.exec(a.output())![1];
      a.child.kill('SIGKILL');
      const got = (await running).flat();
      assert.not.match(a.output(), new RegExp(`done ${killedBatch}`), 'the batch was still running when its worker died');
      assert.match(b.output(), new RegExp(`done ${killedBatch}`), 'the other worker ran the killed batch');
      assert.equal(got.map(verdict), expected);
      const lines = batchLog(ctx);
      assert.is(lines.length, samples.size, 'one record per batch');
      assert.is(new Set(lines.map((l) => l.batch)).size, samples.size);
      assert.equal(lines.flatMap((l) => l.candidates).sort(), [...samples.values()].flat().map((c) => c.id).sort());
      assert.is(lines.find((l) => l.batch === killedBatch)?.worker, 'b');
    } finally {
      await executor.close?.();
    }
  } finally {
    await teardown(env);
  }
});

test('redis-server killed and restarted mid-run (append-only, fsync always): every result arrives once and verdicts equal local', async () => {
  const samples = slowProblems(8);
  const expected = await localVerdicts(samples);
  const env = await setup('restart');
  try {
    const ctx = createTestContext();
    const executor = await instantiate<QueueExecutor>(queuePlugin as never, { redis: env.redis.url, queue: 'restart', batchSize: 3, executor: EXECUTOR }, ctx);
    try {
      const running = Promise.all([...samples].map(([p, c]) => executor.execute(p, c)));
      await until('a first finished batch', () => env.workers.some((w) => /done \S+/.test(w.output())));
      await env.redis.restart(true);
      const got = (await running).flat();
      assert.equal(got.map(verdict), expected);
      const lines = batchLog(ctx);
      assert.is(lines.length, samples.size);
      assert.is(new Set(lines.map((l) => l.batch)).size, samples.size);
    } finally {
      await executor.close?.();
    }
  } finally {
    await teardown(env);
  }
});

test.run();
