import type { Command } from 'commander';
import { cancelRun } from '../../store/cancel.js';
import { FINAL_STATES } from '../../store/run-index.js';
import { describeOwner } from '../../store/run-owner.js';
import { openStore, runsDirOption } from '../shared.js';

export function register(program: Command): void {
  runsDirOption(
    program
      .command('cancel <runId>')
      .description('cancel a run: a queued one at once, a running one (a `crucible run` or a server worker on this machine) as Ctrl-C would')
      .option('--no-wait', 'return once the run is asked to stop, without waiting for it to end')
      .option('--timeout <seconds>', 'how long to wait for the run to end', '60'),
  ).action(async (id: string, opts: { runsDir: string; wait: boolean; timeout: string }) => {
    const store = openStore(opts);
    const runId = store.resolveId(id);
    const before = store.row(runId);
    let row = cancelRun(store, runId);
    if (row.state === 'CANCELLING' && before.owner) process.stderr.write(`run ${runId}: asked ${describeOwner(before.owner)} to stop\n`);
    const deadline = Date.now() + Number(opts.timeout) * 1000;
    while (opts.wait && !FINAL_STATES.includes(row.state) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      row = store.row(runId);
    }
    process.stdout.write(`${runId} ${row.state}\n`);
  });
}
