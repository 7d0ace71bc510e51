// The run report: report.html (self-contained) beside results.json, and the terminal summary.
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';
import { renderReport } from './html.js';
import type { RunResults } from '../pipeline/run-results.js';

export type { RunResults, Curves } from '../pipeline/run-results.js';
export { renderReport } from './html.js';
export { formatTerminalSummary } from './terminal.js';

/** Writes `<runDir>/report.html` from the run's results (results.json is the kernel's); returns its path. */
export async function writeReport(runDir: string, results: RunResults): Promise<string> {
  const file = join(runDir, 'report.html');
  writeFileAtomic(file, renderReport(results));
  return file;
}
