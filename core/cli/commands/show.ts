import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRow } from '../../store/run-index.js';
import { describeOwner, ownerAlive } from '../../store/run-owner.js';
import type { RunStore } from '../../store/run-store.js';
import { openStore, runsDirOption } from '../shared.js';
import { formatTerminalSummary } from '../../report/index.js';

export function register(program: Command): void {
  runsDirOption(program.command('runs').description('list runs').option('--state <state>').option('--name <name>').option('--json')).action(
    (opts: { runsDir: string; state?: string; name?: string; json?: boolean }) => {
      const store = openStore(opts);
      const { runs } = store.index.list({ state: opts.state as never, name: opts.name, limit: 100 });
      if (opts.json) return void process.stdout.write(JSON.stringify(runs, null, 2) + '\n');
      for (const r of runs) {
        const headline = r.headline ? Object.entries(r.headline).slice(0, 3).map(([k, v]) => `${k}=${fmt(v)}`).join(' ') : '';
        process.stdout.write(`${r.id.padEnd(44)} ${r.state.padEnd(10)} ${headline}${stateNote(r)}\n`);
      }
    },
  );

  runsDirOption(program.command('show <runId>').description('show a run: state, stages, headline metrics').option('--json')).action(
    async (id: string, opts: { runsDir: string; json?: boolean }) => {
      const store = openStore(opts);
      const runId = store.resolveId(id);
      const row = store.row(runId);
      if (opts.json) return void process.stdout.write(JSON.stringify(row, null, 2) + '\n');
      process.stdout.write(`${row.id}\n  state    ${row.state}${stateNote(row)}\n  created  ${row.createdAt}\n  folder   ${store.runDir(runId)}\n`);
      if (row.error) process.stdout.write(`  error    ${row.error.code}: ${row.error.message}\n`);
      if (row.state === 'SUCCEEDED') await printSummary(store, runId);
    },
  );
}

/** Who executes an active run, or that its process is gone (resume it); "interrupted" after a recovery. */
function stateNote(row: RunRow): string {
  if ((row.state === 'RUNNING' || row.state === 'CANCELLING') && row.owner) {
    return ownerAlive(row.owner) ? ` (${describeOwner(row.owner)})` : ` (${describeOwner(row.owner)} is gone: resume it)`;
  }
  return row.interrupted ? ' (interrupted)' : '';
}

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(4));

/** The terminal summary of a finished run, from its results.json. */
export async function printSummary(store: RunStore, id: string): Promise<void> {
  const file = join(store.runDir(id), 'results.json');
  if (!existsSync(file)) return;
  const results = JSON.parse(readFileSync(file, 'utf8'));
  const html = join(store.runDir(id), 'report.html');
  process.stdout.write(formatTerminalSummary(results, { reportPath: existsSync(html) ? html : undefined }) + '\n');
}
