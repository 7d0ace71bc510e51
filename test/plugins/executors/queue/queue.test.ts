// The queue executor against a real redis-server and two real `crucible worker` processes: verdicts equal the
// local executor's on recorded model samples, every batch is recorded with the worker that ran it, adding a
// finished batch again takes its stored result, and a worker whose environment differs is refused.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Execution } from '../../../../core/kernel/contract/data.js';
import { createTestContext, instantiate } from '../../../../core/testing/index.js';
import python, { type PythonExecutor } from '../../../../plugins/executors/python/index.js';
import queuePlugin, { type QueueExecutor } from '../../../../plugins/executors/queue/index.js';
import { KEY_PREFIX, redactUrl } from '../../../../plugins/executors/queue/protocol.js';
import { pythonLayoutKey } from '../../../../plugins/executors/python/layout-key.js';
import { mistralSamples, startRedis, startWorker, verdict, type RedisHandle, type WorkerHandle } from './helpers.js';

let redis: RedisHandle;
let workers: WorkerHandle[] = [];

test.before(async () => {
  redis = await startRedis();
  workers = await Promise.all([
    startWorker(redis.url, ['--id', 'w1', '--queue', 'q1', '--concurrency', '1']),
    startWorker(redis.url, ['--id', 'w2', '--queue', 'q1', '--concurrency', '1']),
  ]);
});

test.after(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await redis.stop();
});

/** A queue executor for the duration of `body`, closed whatever happens (its connections would keep the test alive). */
async function withQueue<T>(config: Record<string, unknown>, body: (executor: QueueExecutor, ctx: ReturnType<typeof createTestContext>) => Promise<T>): Promise<T> {
  const ctx = createTestContext();
  const executor = await instantiate<QueueExecutor>(queuePlugin as never, { redis: redis.url, queue: 'q1', ...config }, ctx);
  try {
    return await body(executor, ctx);
  } finally {
    await executor.close?.();
  }
}

test('two workers give the local executor\'s verdicts on 300 recorded Mistral samples; each batch is recorded once with its worker', async () => {
  const samples = await mistralSamples(30);
  const local = await instantiate<PythonExecutor>(python as never, { workers: 2 });
  const expected = (await Promise.all([...samples].map(([p, c]) => local.execute(p, c)))).flat();
  await local.close?.();

  const { got, ctx } = await withQueue({ batchSize: 4 }, async (executor, ctx) => ({ ctx, got: (await Promise.all([...samples].map(([p, c]) => executor.execute(p, c)))).flat() }));

  assert.is(got.length, 300);
  assert.equal(got.map(verdict), expected.map(verdict));
  const lines = readFileSync(ctx.files.path('queue-batches.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { batch: string; candidates: string[]; worker: string });
  // Identical samples of a problem travel once (the python executor dedupes, by its layout key), so batches hold distinct programs.
  const batches = [...samples.values()].reduce((n, c) => n + Math.ceil(new Set(c.map((x) => pythonLayoutKey(x.code))).size / 4), 0);
  assert.ok(batches < [...samples.values()].reduce((n, c) => n + Math.ceil(c.length / 4), 0), 'these samples repeat themselves');
  assert.is(lines.length, batches);
  assert.is(new Set(lines.map((l) => l.batch)).size, batches, 'no batch recorded twice');
  assert.equal(lines.flatMap((l) => l.candidates).sort(), got.map((e) => e.candidateId).sort(), 'every candidate once');
  // Both workers took part, and the run recorded their environments.
  assert.equal(new Set(lines.map((l) => l.worker)), new Set(['w1', 'w2']));
  const recorded = ctx.recorded['executor.workers'] as Array<{ id: string; sandbox: string; python: string; node: string }>;
  assert.equal(recorded.map((w) => w.id).sort(), ['w1', 'w2']);
  for (const w of recorded) {
    assert.match(w.python, /^3\.\d+\.\d+/);
    assert.is(w.node, process.version);
    assert.ok(['bwrap', 'off'].includes(w.sandbox));
  }
});

test('the same batches submitted again (a resumed run) are answered from Redis without running again', async () => {
  const samples = new Map([...(await mistralSamples(3))]);
  const runAll = (executor: QueueExecutor) => Promise.all([...samples].map(([p, c]) => executor.execute(p, c))).then((r) => r.flat());
  const before = await withQueue({}, runAll);
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const queue = new Queue('q1', { connection, prefix: KEY_PREFIX });
  const completedBefore = await queue.getCompletedCount();

  const again = await withQueue({}, runAll);
  assert.equal(again, before, 'the stored executions, durations included: nothing ran again');
  assert.is(await queue.getCompletedCount(), completedBefore);
  await queue.close();
  connection.disconnect();
});

test('a run that declares another environment is refused by the workers: a coded error names them and why', async () => {
  const samples = await mistralSamples(1);
  const [problem, candidates] = [...samples][0];
  const error = await withQueue({ environment: { python: '2.7' }, noWorkerSeconds: 1 }, (executor) =>
    executor.execute(problem, candidates).then(() => undefined, (e: { code?: string; message: string }) => e));
  assert.is(error?.code, 'CRUCIBLE_E_WORKER');
  assert.match(error!.message, /w1 .*Python 3\.\d+\.\d+ does not match the declared 2\.7/);
  assert.match(error!.message, /w2 /);

  // The same run declaring what the workers are is served.
  const version = workers[0].output().match(/Python (3\.\d+)/)![1];
  const executions: Execution[] = await withQueue({ environment: { python: version, node: process.versions.node.split('.')[0] } }, (executor) => executor.execute(problem, candidates));
  assert.is(executions.length, candidates.length);
});

test('workers apply the kernel\'s host policy to a batch\'s executor (a queue writer is not their operator): sandbox "off" and a program path are refused with the field and rule', async () => {
  const samples = await mistralSamples(1);
  const [problem, candidates] = [...samples][0];
  // The submitting side is a local user (the CLI's policy lets both through); the workers refuse them.
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ sandbox: 'off' }, /CRUCIBLE_E_HOST_POLICY: batch\.executor\.config\.sandbox: .*rule: weakens-isolation/],
    [{ python: '/usr/bin/perl' }, /CRUCIBLE_E_HOST_POLICY: batch\.executor\.config\.python: .*rule: executable/],
  ];
  for (const [config, rule] of cases) {
    const error = await withQueue({ executor: { plugin: 'python', config }, attempts: 1 }, (executor) =>
      executor.execute(problem, candidates.slice(0, 2)).then(() => undefined, (e: { code?: string; message: string }) => e));
    assert.is(error?.code, 'CRUCIBLE_E_EXECUTOR', JSON.stringify(config));
    assert.match(error!.message, rule);
    assert.match(error!.message, /worker w[12] refuses the batch/);
  }
});

test('a nested executor config that fails its schema is refused before anything is queued, with its path', async () => {
  const error = await instantiate(queuePlugin as never, { redis: redis.url, queue: 'q1', executor: { plugin: 'python', config: { timeoutSeconds: -1 } } }).then(
    () => undefined,
    (e: { code?: string; issues: Array<{ path?: string }> }) => e,
  );
  assert.is(error?.code, 'CRUCIBLE_E_PLUGIN_CONFIG');
  assert.is(error!.issues[0].path, 'stages.executor.config.executor.config.timeoutSeconds');
});

test('the Redis URL can come from an environment variable; a password never reaches logs or records', async () => {
  const missing = await instantiate(queuePlugin as never, { redisEnv: 'CRUCIBLE_TEST_NO_SUCH_VAR' }).then(() => undefined, (e: { code?: string; issues: Array<{ path?: string }> }) => e);
  assert.is(missing?.code, 'CRUCIBLE_E_INPUT');
  assert.is(missing!.issues[0].path, 'stages.executor.config.redisEnv');
  assert.is(redactUrl('rediss://crucible:s3cret@redis.internal:6380/0'), 'rediss://crucible:***@redis.internal:6380/0');
  process.env.CRUCIBLE_TEST_REDIS_URL = redis.url;
  try {
    const samples = await mistralSamples(1);
    const [problem, candidates] = [...samples][0];
    const { executions, ctx } = await withQueue({ redis: 'redis://unused:1', redisEnv: 'CRUCIBLE_TEST_REDIS_URL' }, async (executor, ctx) => ({ ctx, executions: await executor.execute(problem, candidates) }));
    assert.is(executions.length, candidates.length);
    assert.is((ctx.recorded['executor.queue'] as { redis: string }).redis, `${redis.url}`);
  } finally {
    delete process.env.CRUCIBLE_TEST_REDIS_URL;
  }
});

test.run();
