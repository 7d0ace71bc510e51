// The split guard: settings (hyperparameters, the round to keep, ...) are chosen on the validation split, never
// on test. Whatever asks for problems to select on goes through here; the test split is refused outright, and
// a problem list that contains a test problem is refused too (a dataset or plugin bug, caught before use).
import type { Problem, SplitName } from '../kernel/contract/data.js';
import { CrucibleError } from '../kernel/errors.js';
import type { SplitAssignment } from './split.js';

export function assertSelectionSplit(split: string, path: string): asserts split is 'train' | 'val' {
  if (split === 'test') {
    throw CrucibleError.at('CRUCIBLE_E_SPLIT_GUARD', {
      path,
      message: 'selection on the test split is refused: the test split is evaluated once per run, after every choice is made',
      hint: 'select on "val" (the default)',
    });
  }
  if (split !== 'train' && split !== 'val') {
    throw CrucibleError.at('CRUCIBLE_E_SPLIT_GUARD', { path, message: `unknown split "${split}"`, hint: 'use "val"' });
  }
}

/** The problems of `split` for a selection, after checking that none of them is a test problem. */
export function selectionProblems(splits: Record<SplitName, Problem[]>, assignment: SplitAssignment, split: string, path: string): Problem[] {
  assertSelectionSplit(split, path);
  const problems = splits[split];
  const onTest = problems.filter((p) => assignment.get(p.id) === 'test');
  if (onTest.length) {
    throw CrucibleError.at('CRUCIBLE_E_SPLIT_GUARD', {
      path,
      message: `${onTest.length} problem(s) offered for selection are in the test split (${onTest.slice(0, 3).map((p) => p.id).join(', ')})`,
    });
  }
  return problems;
}
