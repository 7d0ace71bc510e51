import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { compareManyRuns } from '../../compare/compare.js';
import { renderComparisonHtml } from '../../compare/html.js';
import { formatComparison } from '../../compare/tables.js';
import { openStore, runsDirOption } from '../shared.js';

export function register(program: Command): void {
  runsDirOption(
    program
      .command('compare <runs...>')
      .description('compare two or more runs: manifest differences, executed samples, scores, pairing, training, evaluations (paired tests against the first run), per-problem flips')
      .option('--json', 'print the comparison as JSON')
      .option('--html <file>', 'write a comparison report to this file'),
  ).action(async (ids: string[], opts: { runsDir: string; json?: boolean; html?: string }) => {
    const store = openStore(opts);
    try {
      const comparison = await compareManyRuns(store, ids);
      if (opts.html) {
        writeFileSync(opts.html, renderComparisonHtml(comparison));
        process.stderr.write(`comparison report: ${opts.html}\n`);
      }
      if (opts.json) process.stdout.write(JSON.stringify(comparison, null, 2) + '\n');
      else if (!opts.html) process.stdout.write(formatComparison(comparison));
    } finally {
      store.close();
    }
  });
}
