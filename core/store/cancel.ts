// Cancelling a run from outside the process that executes it: `crucible cancel` and the server (for runs it does
// not execute itself) share this. A queued run is cancelled at once; a running one is asked to stop with SIGTERM,
// which its process handles like Ctrl-C (the CLI) or a cancel request (a server's worker); a run whose process is
// gone has nothing left to stop.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CrucibleError } from '../kernel/errors.js';
import { EventLog } from '../kernel/runner/event-log.js';
import type { RunRow, RunState } from './run-index.js';
import { describeOwner, isLocal, ownerAlive } from './run-owner.js';
import type { RunStore } from './run-store.js';

/** Appends a state change to a run's event log (for changes made by a process that is not executing it). */
export function appendStateEvent(store: RunStore, id: string, state: RunState, error: { code: string; message: string }): void {
  const dir = store.runDir(id);
  if (!existsSync(dir)) return;
  const events = new EventLog(join(dir, 'events.jsonl'));
  try {
    events.emitEvent('state', { state, error: { ...error, details: [] } });
  } finally {
    events.close();
  }
}

function cancelNow(store: RunStore, id: string, message: string): RunRow {
  const error = { code: 'CRUCIBLE_E_CANCELLED', message };
  store.index.setState(id, 'CANCELLED', { error });
  appendStateEvent(store, id, 'CANCELLED', error);
  return store.row(id);
}

/** QUEUED -> CANCELLED; RUNNING -> CANCELLING (SIGTERM to its process); a run whose process is gone -> CANCELLED. */
export function cancelRun(store: RunStore, id: string): RunRow {
  const row = store.row(id);
  if (row.state === 'QUEUED') return cancelNow(store, id, 'cancelled before it started');
  if (row.state !== 'RUNNING' && row.state !== 'CANCELLING') {
    throw CrucibleError.at('CRUCIBLE_E_RUN_STATE', { message: `run ${id} is already ${row.state}` });
  }
  const owner = row.owner;
  if (!owner || !ownerAlive(owner)) return cancelNow(store, id, 'cancelled (its process had already stopped)');
  // A server that claimed the run is handing it to a worker: signalling the server would stop the server.
  if (owner.role === 'queue' || !isLocal(owner)) {
    throw CrucibleError.at('CRUCIBLE_E_RUN_STATE', {
      message: `run ${id} is being executed by ${describeOwner(owner)}`,
      hint: owner.role === 'queue' ? `cancel it through that server: POST /v1/runs/${id}/cancel` : 'cancel it on the machine that runs it',
    });
  }
  try {
    process.kill(owner.pid, 'SIGTERM');
  } catch (error) {
    throw CrucibleError.at('CRUCIBLE_E_RUN_STATE', {
      message: `run ${id} is being executed by ${describeOwner(owner)}, which cannot be signalled from here (${(error as NodeJS.ErrnoException).code})`,
      hint: 'cancel it where it runs, or as the user that started it',
    });
  }
  if (row.state === 'RUNNING') store.index.setState(id, 'CANCELLING');
  return store.row(id);
}
