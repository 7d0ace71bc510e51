import type { Command } from 'commander';
import { compareRuns } from '../../runner/compare.js';
import { openStore, runsDirOption } from '../shared.js';

export function register(program: Command): void {
  runsDirOption(program.command('compare <runA> <runB>').description("compare two runs' evaluations (paired tests over the same problems)").option('--json')).action(
    async (a: string, b: string, opts: { runsDir: string; json?: boolean }) => {
      const store = openStore(opts);
      const result = await compareRuns(store, store.resolveId(a), store.resolveId(b));
      process.stdout.write(JSON.stringify(result, null, opts.json ? 2 : 2) + '\n');
    },
  );
}
