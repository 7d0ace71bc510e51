// `crucible worker`: consumes batch jobs from the queue and runs them with a local executor created through
// the registry (the one each batch names). It announces its environment (sandbox mode, Python and Node
// versions) and refuses batches of runs that declared another one, leaving them to workers that match. A
// batch's executor spec passes the kernel's host policy first (see resolveBatchExecutor).
import { hostname } from 'node:os';
import { randomBytes, createHash } from 'node:crypto';
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Executor } from 'crucible-ml';
import type { Problem } from 'crucible-ml';
import { DEFAULT_REDIS, redisConnection } from './connection.js';
import { configSchema } from './schema.js';
import { WorkerDirectory, WORKER_TTL_SECONDS } from './directory.js';
import { builtinExecutors, createExecutor, resolveBatchExecutor, workerContext } from './kernel.js';
import { KEY_PREFIX, PROTOCOL_VERSION, environmentKey, environmentMismatch, redactUrl, type BatchJob, type BatchResult, type ExecutorSpec, type WorkerEnvironment } from './protocol.js';

export interface WorkerOptions {
  /** Default: DEFAULT_REDIS (connection.ts), as for the queue executor. */
  redis?: string;
  /** Default: the queue executor's default queue name. */
  queue?: string;
  /** Batches processed at once by this worker. */
  concurrency: number;
  id?: string;
  /** Executor plugins (names, packages or paths) run besides the built-ins. */
  allowPlugins: string[];
  /** Run batches whose executor config turns isolation off. */
  allowUnsandboxed: boolean;
  /** Lock time of a batch: a worker gone this long has its batch retried elsewhere. */
  lockSeconds: number;
  baseDir: string;
  /** Log each batch's start and end. */
  logBatches?: boolean;
  log(line: string): void;
}

export interface RunningWorker {
  environment: WorkerEnvironment;
  /** Batches completed by this worker. */
  completed(): number;
  close(): Promise<void>;
}

/** The probe run at start: it warms the executor and tells the sandbox mode and interpreter actually in use. */
const PROBE: Problem = {
  id: 'crucible-worker-probe',
  prompt: '',
  entryPoint: 'f',
  tests: [{ id: '0', code: 'assert f(1) == 2' }],
  language: 'python',
  meta: {},
};

export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const ctx = await workerContext(options.baseDir);
  const allowed = new Set([...(await builtinExecutors()), ...options.allowPlugins]);
  const executors = new Map<string, Promise<Executor>>();
  const executorFor = (spec: ExecutorSpec): Promise<Executor> => {
    const key = createHash('sha256').update(JSON.stringify(spec)).digest('hex');
    let pending = executors.get(key);
    if (!pending) {
      pending = createExecutor(spec, ctx, 'batch.executor');
      pending.catch(() => executors.delete(key));
      executors.set(key, pending);
    }
    return pending;
  };

  // Each distinct executor spec a batch names, resolved once under the kernel's host policy.
  const resolvedSpecs = new Map<string, Promise<ExecutorSpec>>();
  const checked = (spec: ExecutorSpec): Promise<ExecutorSpec> => {
    const key = JSON.stringify(spec);
    let pending = resolvedSpecs.get(key);
    if (!pending) {
      if (resolvedSpecs.size >= 64) resolvedSpecs.delete(resolvedSpecs.keys().next().value!);
      pending = resolveBatchExecutor(spec, { allowPlugins: options.allowPlugins, allowUnsandboxed: options.allowUnsandboxed, baseDir: options.baseDir });
      resolvedSpecs.set(key, pending);
    }
    return pending;
  };

  // What this machine is: the default Python executor (as batches get it), warmed by one probe candidate.
  let python = '';
  let sandbox = 'off';
  try {
    const probe = await executorFor(await checked({ plugin: 'python', config: {} }));
    await probe.execute(PROBE, [{ id: 'probe', problemId: PROBE.id, index: 0, prompt: '', completion: '', code: 'def f(x):\n    return x + 1\n' }]);
    const described = (probe as { describe?: () => Record<string, unknown> }).describe?.() ?? {};
    python = String(described.pythonVersion ?? '');
    sandbox = String(described.sandbox ?? 'off');
  } catch (error) {
    options.log(`python executor unavailable on this worker: ${(error as Error).message}`);
  }
  const environment: WorkerEnvironment = {
    id: options.id ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    host: hostname(),
    pid: process.pid,
    sandbox,
    python,
    node: process.version,
    executors: [...allowed],
    startedAt: new Date().toISOString(),
  };

  const redis = options.redis ?? DEFAULT_REDIS;
  const connection = redisConnection(redis, '--redis', { warn: (o, m) => options.log(`${m} ${JSON.stringify(o)}`) });
  const workerConnection = redisConnection(redis, '--redis');
  const queue = options.queue ?? configSchema.properties.queue.default;
  const directory = new WorkerDirectory(connection, queue);
  await directory.announce(environment);
  const heartbeat = setInterval(() => void directory.announce(environment).catch(() => undefined), (WORKER_TTL_SECONDS * 1000) / 3);
  let completed = 0;
  // One object per distinct problem, so an executor's per-problem caches (compiled tests, calibrated limits) apply across batches.
  const problems = new Map<string, Problem>();
  const problemOf = (problem: Problem): Problem => {
    const key = createHash('sha256').update(JSON.stringify(problem)).digest('hex');
    const known = problems.get(key);
    if (known) return known;
    if (problems.size >= 256) problems.delete(problems.keys().next().value!);
    problems.set(key, problem);
    return problem;
  };

  const processBatch = async (job: Job<BatchJob, BatchResult>, token?: string): Promise<BatchResult> => {
    const data = job.data;
    if (data.v !== PROTOCOL_VERSION) throw new UnrecoverableError(`CRUCIBLE_E_WORKER: batch protocol v${data.v}, this worker speaks v${PROTOCOL_VERSION} (upgrade the older side)`);
    const mismatch = environmentMismatch(data.environment, environment);
    if (mismatch) {
      // Not ours: record the refusal and hand the batch back for a worker that matches.
      await directory.refuse(environmentKey(data.environment), environment, mismatch);
      options.log(`refused batch ${job.id}: ${mismatch}`);
      await job.moveToDelayed(Date.now() + 1000, token);
      throw new DelayedError();
    }
    if (!allowed.has(data.executor.plugin)) {
      throw new UnrecoverableError(`CRUCIBLE_E_PLUGIN_NOT_ALLOWED: worker ${environment.id} does not run executor "${data.executor.plugin}" (start it with --allow-plugin ${data.executor.plugin})`);
    }
    let spec: ExecutorSpec;
    try {
      spec = await checked(data.executor);
    } catch (error) {
      throw new UnrecoverableError(`worker ${environment.id} refuses the batch: ${(error as Error).message}`);
    }
    const started = performance.now();
    if (options.logBatches) options.log(`start ${job.id} (${data.problem.id}, ${data.candidates.length} candidates)`);
    const executor = await executorFor(spec);
    const executions = await executor.execute(problemOf(data.problem), data.candidates);
    completed += 1;
    const ms = Math.round(performance.now() - started);
    if (options.logBatches) options.log(`done ${job.id} ${ms} ms`);
    return { executions, worker: environment, ms };
  };

  const worker = new Worker<BatchJob, BatchResult>(queue, processBatch, {
    connection: workerConnection,
    prefix: KEY_PREFIX,
    concurrency: options.concurrency,
    lockDuration: options.lockSeconds * 1000,
    stalledInterval: Math.max(500, (options.lockSeconds * 1000) / 2),
    maxStalledCount: 3,
  });
  worker.on('error', (error) => options.log(`queue error: ${error.message}`));
  worker.on('failed', (job, error) => options.log(`batch ${job?.id} failed: ${error.message}`));
  await worker.waitUntilReady();
  options.log(`worker ${environment.id} on queue "${queue}" at ${redactUrl(redis)}: sandbox ${sandbox}, Python ${python || '(none)'}, Node ${process.version}, concurrency ${options.concurrency}`);

  return {
    environment,
    completed: () => completed,
    async close() {
      clearInterval(heartbeat);
      await worker.close();
      await directory.leave(environment.id).catch(() => undefined);
      for (const pending of executors.values()) await (await pending.catch(() => undefined))?.close?.();
      connection.disconnect();
      workerConnection.disconnect();
    },
  };
}
