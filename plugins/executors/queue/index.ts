// queue: executes on `crucible worker` processes (any number, on any machines) through a BullMQ queue on Redis
// instead of this machine's pool. Each problem's candidates become batch jobs whose ids are derived from the
// work itself, so adding a batch twice is a no-op, a result is written once, and a resumed run takes the
// batches that finished meanwhile straight from Redis. A killed worker's batch is retried by BullMQ's
// stalled-job recovery on another worker.
import { appendFileSync } from 'node:fs';
import { Queue, QueueEvents } from 'bullmq';
import { definePlugin, type ConfigOf } from 'crucible-ml';
import type { Candidate, Execution, Problem } from 'crucible-ml';
import type { Executor } from 'crucible-ml';
import type { PluginContext } from 'crucible-ml';
import { CrucibleError } from 'crucible-ml';
import { configSchema } from './schema.js';
import { DEFAULT_REDIS, redisConnection } from './connection.js';
import { WorkerDirectory } from './directory.js';
import { JobTracker } from './tracker.js';
import { cutEvenly, sendOnce } from './dedupe.js';
import { pythonLayoutKey } from '../python/layout-key.js';
import { resolveExecutorSpec } from './kernel.js';
import {
  KEY_PREFIX,
  PROTOCOL_VERSION,
  batchJobId,
  redactUrl,
  workKey,
  type BatchJob,
  type BatchResult,
  type DeclaredEnvironment,
  type WorkerEnvironment,
} from './protocol.js';

export type QueueExecutorConfig = ConfigOf<typeof configSchema>;
const PATH = 'stages.executor.config';

export interface QueueExecutor extends Executor {
  describe(): Record<string, unknown>;
  /** Batches per worker id, as recorded in queue-batches.jsonl. */
  workers(): Record<string, { environment: WorkerEnvironment; batches: number; candidates: number }>;
}

export async function createQueueExecutor(config: QueueExecutorConfig, ctx: PluginContext): Promise<QueueExecutor> {
  if (config.executor.plugin === 'queue') {
    throw CrucibleError.at('CRUCIBLE_E_PLUGIN_CONFIG', { path: `${PATH}.executor.plugin`, message: 'the workers\' executor cannot be the queue itself', hint: 'name the executor the workers run, e.g. "python"' });
  }
  // The nested executor is resolved through the registry here, so a bad config fails the run before anything is queued.
  const resolved = await resolveExecutorSpec({ plugin: config.executor.plugin, config: config.executor.config as Record<string, unknown> }, ctx, `${PATH}.executor`);
  const executor = { plugin: resolved.plugin, config: resolved.config };
  // The workers' executor runs identical candidates once when its config says so (python, javascript): the queue
  // does it before cutting batches, so that copies are not cut apart and run again.
  const dedupe = resolved.config.dedupe === true;
  // What the workers' executor calls identical: python compares programs by their layout key, others by their text.
  const keyOf = resolved.plugin === 'python' ? pythonLayoutKey : undefined;
  const environment: DeclaredEnvironment = { sandbox: config.environment.sandbox, python: config.environment.python, node: config.environment.node };
  const redisUrl = redisUrlOf(config);
  const connection = redisConnection(redisUrl, `${PATH}.redis`, ctx.logger);
  const eventsConnection = redisConnection(redisUrl, `${PATH}.redis`);
  const queue = new Queue<BatchJob, BatchResult>(config.queue, { connection, prefix: KEY_PREFIX });
  const events = new QueueEvents(config.queue, { connection: eventsConnection, prefix: KEY_PREFIX });
  queue.on('error', () => undefined); // connection errors are logged once by the connection; commands wait for it
  events.on('error', () => undefined);
  const directory = new WorkerDirectory(connection, config.queue);
  const age = config.keepResultsSeconds;
  const addJob = async (jobId: string, data: BatchJob) => {
    await queue.add('batch', data, {
      jobId,
      attempts: config.attempts,
      backoff: { type: 'fixed', delay: 1000 },
      removeOnComplete: { age },
      removeOnFail: { age },
    });
  };
  const tracker = new JobTracker({ queue, events, directory, environment, addJob, attempts: config.attempts, noWorkerMs: config.noWorkerSeconds * 1000, connections: [connection, eventsConnection] });
  const onAbort = () => tracker.close(new CrucibleError('CRUCIBLE_E_CANCELLED', 'the run was cancelled'));
  if (ctx.signal.aborted) onAbort();
  else ctx.signal.addEventListener('abort', onAbort, { once: true });

  const seen: ReturnType<QueueExecutor['workers']> = {};
  const batchLog = ctx.files.path('queue-batches.jsonl');
  ctx.events.record('executor.queue', { queue: config.queue, redis: redactUrl(redisUrl), executor: `${resolved.plugin}@${resolved.version}`, environment });

  /** Records a finished batch with the ids of every candidate it decided (copies of its programs included). */
  const note = (jobId: string, problem: Problem, candidateIds: string[], result: BatchResult) => {
    const w = result.worker;
    const entry = (seen[w.id] ??= { environment: w, batches: 0, candidates: 0 });
    const first = entry.batches === 0;
    entry.batches += 1;
    entry.candidates += candidateIds.length;
    appendFileSync(batchLog, `${JSON.stringify({ batch: jobId, problemId: problem.id, candidates: candidateIds, worker: w.id, host: w.host, pid: w.pid, ms: result.ms })}\n`);
    if (first) ctx.events.record('executor.workers', Object.values(seen).map((s) => s.environment));
  };

  const runBatch = async (problem: Problem, batch: Candidate[], key: string, index: number, count: number, covers: Map<string, string[]>): Promise<Execution[]> => {
    const data: BatchJob = { v: PROTOCOL_VERSION, executor, environment, index, count, problem, candidates: batch };
    const jobId = batchJobId(key, index);
    const answer = tracker.wait(jobId, data);
    answer.catch(() => undefined); // a cancel during the add rejects it before it is awaited
    await addJob(jobId, data).catch((error: Error) => tracker.abandon(jobId, error));
    const result = await answer;
    const ids = result.executions.map((e) => e.candidateId);
    if (ids.length !== batch.length || ids.some((id, i) => id !== batch[i].id)) {
      throw new CrucibleError('CRUCIBLE_E_EXECUTOR', `worker ${result.worker.id} answered batch ${jobId} of problem "${problem.id}" with ${ids.length} executions for ${batch.length} candidates, or in another order`);
    }
    note(jobId, problem, batch.flatMap((c) => covers.get(c.id) ?? [c.id]), result);
    return result.executions;
  };

  return {
    concurrency: config.concurrency,
    async execute(problem: Problem, candidates: Candidate[]): Promise<Execution[]> {
      ctx.throwIfCancelled();
      if (!candidates.length) return [];
      const sent = sendOnce(candidates, dedupe, keyOf);
      const key = workKey(executor, environment, config.batchSize, problem, sent.distinct);
      const batches = cutEvenly(sent.distinct, config.batchSize);
      const parts = await Promise.all(batches.map((batch, i) => runBatch(problem, batch, key, i, batches.length, sent.covers)));
      return sent.expand(parts.flat());
    },
    describe: () => ({ queue: config.queue, redis: redactUrl(redisUrl), executor: executor.plugin, environment, batchSize: config.batchSize, workers: Object.keys(seen) }),
    workers: () => seen,
    async close() {
      ctx.signal.removeEventListener('abort', onAbort);
      tracker.close(new CrucibleError('CRUCIBLE_E_EXECUTOR', 'the queue executor was closed'));
      await events.close().catch(() => undefined);
      await queue.close().catch(() => undefined);
      connection.disconnect();
      eventsConnection.disconnect();
    },
  };
}

/** The Redis URL: from the named environment variable when `redisEnv` is set (it is never recorded), else `redis`. */
function redisUrlOf(config: QueueExecutorConfig): string {
  if (!config.redisEnv) return config.redis || DEFAULT_REDIS;
  const url = process.env[config.redisEnv];
  if (!url) {
    throw CrucibleError.at('CRUCIBLE_E_INPUT', { path: `${PATH}.redisEnv`, message: `environment variable ${config.redisEnv} is not set`, hint: `export ${config.redisEnv}=redis://:password@host:6379 before the run` });
  }
  return url;
}

export default definePlugin({
  kind: 'executor',
  name: 'queue',
  version: '1.0.0',
  apiVersion: '^1',
  description: 'executes batches on `crucible worker` processes through a BullMQ queue on Redis (idempotent batches, stalled-job recovery, workers recorded)',
  configSchema,
  create: (config, ctx) => createQueueExecutor(config, ctx),
});
