import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRow } from '../../store/run-index.js';
import { describeOwner, ownerAlive } from '../../store/run-owner.js';
import type { RunStore } from '../../store/run-store.js';
import { collect, openStore, runsDirOption } from '../shared.js';
import { formatTerminalSummary } from '../../report/index.js';
import { failedStage } from '../../compare/facts.js';

export function register(program: Command): void {
  runsDirOption(program.command('runs').description('list runs').option('--state <state>').option('--name <name>').option('--tag <tag>', 'only runs with this tag (repeatable: all of them)', collect, []).option('--json')).action(
    (opts: { runsDir: string; state?: string; name?: string; tag: string[]; json?: boolean }) => {
      const store = openStore(opts);
      const { runs } = store.index.list({ state: opts.state as never, name: opts.name, tags: opts.tag.length ? opts.tag : undefined, limit: 100 });
      if (opts.json) return void process.stdout.write(JSON.stringify(runs, null, 2) + '\n');
      const keys = shownMetrics(runs);
      for (const r of runs) {
        const headline = keys.filter((k) => r.headline?.[k] !== undefined).slice(0, 6).map((k) => `${k}=${fmt(r.headline![k])}`).join(' ');
        const failure = r.state === 'FAILED' && r.error ? ` at ${failedStage(store.runDir(r.id)) ?? '?'}: ${r.error.code}: ${clip(r.error.message, 100)}` : '';
        process.stdout.write(`${r.id.padEnd(44)} ${r.state.padEnd(10)} ${headline}${failure}${stateNote(r)}\n`);
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
      if (row.error) process.stdout.write(`  error    ${row.state === 'FAILED' ? `at stage ${failedStage(store.runDir(runId)) ?? '?'}: ` : ''}${row.error.code}: ${row.error.message}\n`);
      if (row.state === 'SUCCEEDED') await printSummary(store, runId);
    },
  );
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

// Trained results and changes first: they are what a sweep varies.
const rank = (k: string) => (k.startsWith('delta/') ? 0 : k.startsWith('trained/') ? 1 : k.startsWith('ttest_p/') ? 2 : k.startsWith('samples/') ? 3 : 4);

/** The headline metrics worth showing: those that differ across the listed runs (all of them for one run); each line shows its first 6. */
export function shownMetrics(runs: RunRow[]): string[] {
  const withHeadline = runs.filter((r) => r.headline && Object.keys(r.headline).length);
  const keys = [...new Set(withHeadline.flatMap((r) => Object.keys(r.headline!)))];
  const differs = (k: string) => new Set(withHeadline.map((r) => (r.headline![k] === undefined ? 'none' : fmt(r.headline![k])))).size > 1;
  const chosen = withHeadline.length > 1 ? keys.filter(differs) : keys;
  return chosen.sort((a, b) => rank(a) - rank(b));
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
