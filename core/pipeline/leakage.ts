// Test problems never reach a trainer: a record from the test split is an error, not a warning.
import type { SplitName } from '../kernel/contract/data.js';
import { CrucibleError } from '../kernel/errors.js';
import type { SplitAssignment } from './split.js';

export function assertNoTestLeak(records: ReadonlyArray<{ problemId?: string }>, split: SplitAssignment, what: string): void {
  const leaked = records.filter((r) => r.problemId !== undefined && split.get(r.problemId) === 'test');
  if (leaked.length) {
    const ids = [...new Set(leaked.map((r) => r.problemId))];
    throw new CrucibleError('CRUCIBLE_E_LEAKAGE', `${leaked.length} ${what} from ${ids.length} test-split problem(s) reached the trainer (${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ', ...' : ''})`, [
      { path: 'stages.trainer', message: 'test problems may only be seen by the evaluator', hint: 'check the input file or the split; test ids must not appear in training data' },
    ]);
  }
}

/** Partitions records by split: train ones for training, val ones for validation; unknown ids count as train (external data). */
export function bySplit<T extends { problemId?: string }>(records: readonly T[], split: SplitAssignment): Record<'train' | 'val', T[]> {
  const out: Record<'train' | 'val', T[]> = { train: [], val: [] };
  for (const r of records) {
    const s: SplitName | undefined = r.problemId ? split.get(r.problemId) : undefined;
    out[s === 'val' ? 'val' : 'train'].push(r);
  }
  return out;
}
