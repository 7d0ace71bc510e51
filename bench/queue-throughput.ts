// Queue overhead: the 1,640 recorded Mistral samples on 2 `crucible worker` processes through the queue on a
// real redis-server, against the local python executor with the same number of fork-servers (2), measured in
// the same run; then the batches per second the queue itself sustains (a no-op executor), for the arithmetic
// of N machines.
//
//   node --import tsx bench/queue-throughput.ts [--rounds 3] [--noop-batches 2000] [--data DIR]   (--rounds 0: the no-op figure alone)
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Candidate, Execution, Problem } from '../core/index.js';
import type { Executor } from '../core/index.js';
import { createTestContext, instantiate } from '../core/testing/index.js';
import { packageRoot } from '../core/util/package-root.js';
import python from '../plugins/executors/python/index.js';
import queuePlugin, { type QueueExecutor } from '../plugins/executors/queue/index.js';
import { startRedis, startWorker, verdict, type WorkerHandle } from '../test/plugins/executors/queue/helpers.js';
import { loadMistralSamples } from './queue-samples.js';

const { values: opts } = parseArgs({
  options: {
    data: { type: 'string', default: join(packageRoot(), 'data') },
    rounds: { type: 'string', default: '3' },
    'noop-batches': { type: 'string', default: '2000' },
    // What each worker runs: fork-servers of its python executor (1 each: the same 2 as the local executor's pool;
    // 0 = one per core, the python executor's default) and batches at once. A worker holds at most this many
    // batches: one running and one ready to start, so a batch it holds is one the other worker could not have run
    // sooner (with 12, one worker held every slow candidate of the last problem while the other sat idle).
    'worker-fork-servers': { type: 'string', default: '1' },
    'worker-concurrency': { type: 'string', default: '2' },
    workers: { type: 'string', default: '2' },
    // Three distinct programs per batch: small enough that the run's slow candidates (the four looping programs of
    // HumanEval/163 are ~40% of the CPU) spread over both workers as the local pool spreads them over its
    // fork-servers, large enough that the queue's ~3 ms of CPU per batch stops showing on a quiet machine (quiet,
    // load ~3: 1 -> 0.816, 2 -> 0.864, 3 -> 0.904 and 0.946). Identical samples travel once whatever the size.
    'batch-size': { type: 'string', default: '3' },
    'skip-noop': { type: 'boolean', default: false },
    'local-child': { type: 'boolean', default: false },
  },
});
const NOOP = join(packageRoot(), 'bench', 'queue-noop-executor.ts');

async function timeAll(executor: Executor, samples: Map<Problem, Candidate[]>): Promise<{ seconds: number; executions: Execution[] }> {
  const t0 = performance.now();
  const executions = (await Promise.all([...samples].map(([p, c]) => executor.execute(p, c)))).flat();
  return { seconds: (performance.now() - t0) / 1000, executions };
}

const twoWorkers = (url: string, queue: string, extra: string[] = []) =>
  Promise.all(Array.from({ length: Number(opts.workers) }, (_, i) => startWorker(url, ['--id', `w${i + 1}`, '--queue', queue, ...extra])));
const stopAll = (workers: WorkerHandle[]) => Promise.all(workers.map((w) => w.stop()));
const WARM: [Problem, Candidate[]] = [
  { id: 'warm', prompt: '', entryPoint: 'f', language: 'python', meta: {}, tests: [{ id: '0', code: 'assert f(1) == 2' }] },
  [{ id: 'w', problemId: 'warm', index: 0, prompt: '', completion: '', code: 'def f(x): return x + 1' }],
];
/**
 * Warms the queue side as the local side is warmed: one candidate on each worker's batch executor (its fork-server
 * started, its modules loaded) before the clock starts. Workers take batches as they come, so warm batches are sent
 * until every worker has answered one (distinct code makes distinct batches).
 */
async function warmWorkers(executor: QueueExecutor, workers: number): Promise<void> {
  for (let i = 0; Object.keys(executor.workers()).length < workers; i++) {
    if (i >= 50) throw new Error(`warm-up: only ${Object.keys(executor.workers()).length} of ${workers} workers took a batch in 50 rounds`);
    const [problem, [candidate]] = WARM;
    await Promise.all(Array.from({ length: 4 * workers }, (_, k) => executor.execute(problem, [{ ...candidate, code: `${candidate.code}  # warm ${i}.${k}` }])));
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The local side, in a process of its own session, as the workers are (see the README's note on the figures). */
async function localInChild(): Promise<{ seconds: number; executions: Execution[] }> {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--local-child', '--data', opts.data!], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((resolve) => child.once('exit', resolve));
  return JSON.parse(out) as { seconds: number; executions: Execution[] };
}

async function main(): Promise<void> {
  const samples = await loadMistralSamples(opts.data!);
  if (opts['local-child']) {
    const local = await instantiate<Executor>(python as never, { workers: 2 }, createTestContext());
    await local.execute(...WARM);
    const result = await timeAll(local, samples);
    await local.close?.();
    process.stdout.write(JSON.stringify(result));
    return;
  }
  const n = [...samples.values()].reduce((k, c) => k + c.length, 0);
  // Append-only with Redis's default fsync policy for it (everysec); the fault tests fsync every write.
  const redis = await startRedis({ appendfsync: 'everysec' });
  const ratios: number[] = [];
  const rows: string[] = [];
  let agree = true;
  try {
    for (let round = 1; round <= Number(opts.rounds); round++) {
      // Local: a fresh executor with 2 fork-servers, warmed by one candidate.
      const l = await localInChild();
      // Queue: 2 fresh workers, each in its own session as when started on its own, and a fresh queue so that no
      // batch is answered from an earlier round; each worker warmed by one batch, as the local side is by one candidate.
      const queue = `bench-${Date.now()}-${round}`;
      const workers = await twoWorkers(redis.url, queue, ['--concurrency', opts['worker-concurrency']!]);
      const executor = await instantiate<QueueExecutor>(queuePlugin as never, { redis: redis.url, queue, batchSize: Number(opts['batch-size']), concurrency: 256, executor: { plugin: 'python', config: { workers: Number(opts['worker-fork-servers']) } } }, createTestContext());
      await warmWorkers(executor, Number(opts.workers));
      const q = await timeAll(executor, samples);
      await executor.close?.();
      await stopAll(workers);
      const ratio = l.seconds / q.seconds;
      ratios.push(ratio);
      agree &&= JSON.stringify(q.executions.map(verdict)) === JSON.stringify(l.executions.map(verdict));
      rows.push(`round ${round}: local ${(n / l.seconds).toFixed(0)} samples/s (${l.seconds.toFixed(2)} s), queue with ${opts.workers} workers ${(n / q.seconds).toFixed(0)} samples/s (${q.seconds.toFixed(2)} s), ratio ${ratio.toFixed(3)}; load average ${loadavg()[0].toFixed(1)}`);
      console.log(rows.at(-1));
    }
    if (ratios.length) console.log(`queue / local throughput, median of ${ratios.length}: ${median(ratios).toFixed(3)}; verdicts identical to local in every round: ${agree}`);

    if (opts['skip-noop']) return;
    // The queue alone: tiny batches through a no-op executor on 2 workers.
    const count = Number(opts['noop-batches']);
    const queue = `bench-noop-${Date.now()}`;
    const workers = await twoWorkers(redis.url, queue, ['--allow-plugin', NOOP, '--concurrency', '16']);
    const tiny = new Map<Problem, Candidate[]>(Array.from({ length: count }, (_, i) => {
      const p: Problem = { id: `noop/${i}`, prompt: '', entryPoint: 'f', language: 'python', meta: {}, tests: [] };
      return [p, [{ id: `noop/${i}#0`, problemId: p.id, index: 0, prompt: '', completion: '', code: `# ${i}` }]];
    }));
    const executor = await instantiate<Executor>(queuePlugin as never, { redis: redis.url, queue, concurrency: 512, executor: { plugin: NOOP, config: {} } }, createTestContext());
    const t = await timeAll(executor, tiny);
    await executor.close?.();
    await stopAll(workers);
    console.log(`no-op executor: ${count} batches in ${t.seconds.toFixed(2)} s = ${(count / t.seconds).toFixed(0)} batches/s through one Redis (2 workers, 16 batches in flight each); load average ${loadavg()[0].toFixed(1)}`);
  } finally {
    await redis.stop();
  }
}

await main();
