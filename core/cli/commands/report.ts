import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CrucibleError } from '../../kernel/errors.js';
import { formatTerminalSummary, writeReport } from '../../report/index.js';
import { openStore, runsDirOption } from '../shared.js';

export function register(program: Command): void {
  runsDirOption(program.command('report <runId>').description("regenerate a run's report.html and print its summary")).action(async (id: string, opts: { runsDir: string }) => {
    const store = openStore(opts);
    const runId = store.resolveId(id);
    const file = join(store.runDir(runId), 'results.json');
    if (!existsSync(file)) throw CrucibleError.at('CRUCIBLE_E_RUN_STATE', { message: `run ${runId} has no results.json yet`, hint: `finish it first: crucible resume ${runId}` });
    const results = JSON.parse(readFileSync(file, 'utf8'));
    const html = await writeReport(store.runDir(runId), results);
    process.stdout.write(formatTerminalSummary(results, { reportPath: html }) + '\n');
  });
}
