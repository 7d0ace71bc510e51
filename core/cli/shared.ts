import type { Command } from 'commander';
import { RunStore } from '../store/run-store.js';

export const runsDirOption = (cmd: Command) => cmd.option('--runs-dir <dir>', 'runs directory', process.env.CRUCIBLE_RUNS_DIR ?? './runs');

export function openStore(options: { runsDir?: string }): RunStore {
  return new RunStore(options.runsDir ?? './runs');
}

export const collect = (value: string, previous: string[]) => [...previous, value];
