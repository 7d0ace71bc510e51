// crucible worker: executes the batches a run's queue executor puts on a Redis queue, until stopped.
import type { Command } from 'commander';
import { CrucibleError } from '../../kernel/errors.js';
import { HOST_MODULES } from '../../builtins.js';

interface WorkerFlags {
  redis?: string;
  queue?: string;
  concurrency: string;
  id?: string;
  allowPlugin: string[];
  allowUnsandboxed?: boolean;
  lockSeconds: string;
  logBatches?: boolean;
}

interface WorkerModule {
  startWorker(options: Record<string, unknown>): Promise<{ close(): Promise<void> }>;
}

const positive = (value: string, flag: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw CrucibleError.at('CRUCIBLE_E_INPUT', { path: flag, message: `not a positive number: ${value}` });
  return n;
};

export function register(program: Command): void {
  program
    .command('worker')
    .description('execute batches from a Redis queue with the local sandboxed executors (run any number, on any machines)')
    .option('--redis <url>', 'Redis URL (redis://[:password@]host:port[/db], rediss:// for TLS; or CRUCIBLE_REDIS_URL; default: the queue executor\'s)', process.env.CRUCIBLE_REDIS_URL)
    .option('--queue <name>', 'queue name (as in the executor config; default: the queue executor\'s default)')
    .option('--concurrency <n>', 'batches processed at once', '2')
    .option('--id <id>', 'worker id recorded with each batch (default: host-pid-random)')
    .option('--allow-plugin <plugin>', 'also run this executor plugin (package name or path); repeatable', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--allow-unsandboxed', 'run batches whose executor config turns the sandbox off, and sandbox "auto" without bubblewrap (otherwise "auto" runs as "required")')
    .option('--lock-seconds <s>', 'a batch whose worker is silent this long is retried by another worker', '30')
    .option('--log-batches', 'log the start and end of every batch')
    .action(async (flags: WorkerFlags) => {
      const concurrency = positive(flags.concurrency, '--concurrency');
      if (!Number.isInteger(concurrency)) throw CrucibleError.at('CRUCIBLE_E_INPUT', { path: '--concurrency', message: `not an integer: ${flags.concurrency}` });
      const { startWorker } = (await import(HOST_MODULES.queueWorker)) as WorkerModule;
      const worker = await startWorker({
        redis: flags.redis,
        queue: flags.queue,
        concurrency,
        id: flags.id,
        allowPlugins: flags.allowPlugin,
        allowUnsandboxed: flags.allowUnsandboxed === true,
        lockSeconds: positive(flags.lockSeconds, '--lock-seconds'),
        baseDir: process.cwd(),
        logBatches: flags.logBatches === true,
        log: (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`),
      });
      await new Promise<void>((resolveStop) => {
        process.once('SIGINT', () => resolveStop());
        process.once('SIGTERM', () => resolveStop());
      });
      await worker.close();
    });
}
