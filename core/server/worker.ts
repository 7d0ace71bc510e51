// One run, in its own process (and process group): the server's event loop never runs plugin code.
// argv: <runsDir> <runId>. SIGTERM = cancel (abort the run's signal); losing the server = die with the group.
import 'reflect-metadata';
import '../builtins.js';
import { join } from 'node:path';
import { executeRun } from '../store/session.js';
import { createLogger } from '../util/logger.js';
import { RunStore } from '../store/run-store.js';
import { guardStorage } from '../store/storage-error.js';

const [runsDir, runId] = process.argv.slice(2);
const controller = new AbortController();
process.on('SIGTERM', () => controller.abort());
process.on('SIGINT', () => controller.abort());

// The server went away (crash or kill): stop everything this run started, leaving the run RUNNING
// in the index so the next server start recovers it (resume or leave resumable).
const dieWithGroup = () => {
  try {
    process.kill(-process.pid, 'SIGKILL');
  } finally {
    process.exit(137);
  }
};
if (process.send) process.on('disconnect', dieWithGroup);

async function main(): Promise<number> {
  const store = guardStorage(runsDir, () => new RunStore(runsDir));
  try {
    const logger = createLogger({ file: join(store.runDir(runId), 'run.log'), name: 'crucible-worker' });
    // The server that started us claimed the run (owner = its pid) before handing it over.
    const outcome = await executeRun(store, runId, { logger, signal: controller.signal, handedOverBy: process.ppid });
    return outcome.state === 'SUCCEEDED' ? 0 : outcome.state === 'CANCELLED' ? 130 : 1;
  } finally {
    store.close();
  }
}

main().then(
  (code) => {
    process.off('disconnect', dieWithGroup);
    process.exit(code);
  },
  (error) => {
    process.stderr.write(`worker: ${(error as Error)?.stack ?? String(error)}\n`);
    process.off('disconnect', dieWithGroup);
    process.exit(70);
  },
);
