import type { Command } from 'commander';
import { RunStore } from '../store/run-store.js';
import { guardStorage } from '../store/storage-error.js';
import { resolve } from 'node:path';

export const runsDirOption = (cmd: Command) => cmd.option('--runs-dir <dir>', 'runs directory', process.env.CRUCIBLE_RUNS_DIR ?? './runs');

export function openStore(options: { runsDir?: string }): RunStore {
  const dir = options.runsDir ?? './runs';
  return guardStorage(resolve(dir), () => new RunStore(dir), true);
}

export const collect = (value: string, previous: string[]) => [...previous, value];
