// The kernel's quality gates over the pairs of any pairing plugin: trivial negatives are dropped with counts per
// reason, and the pair stage fails with CRUCIBLE_E_PAIRING_GATES (paths under stages.pairing.gates) when too little survives.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createTestContext, instantiate } from '../../core/testing/index.js';
import type { Pairing } from '../../core/kernel/contract/kinds.js';
import type { PreferencePair } from '../../core/kernel/contract/data.js';
import { applyGates, type GateOptions } from '../../core/pipeline/pair-quality.js';
import { isTemplate, looksLikeCode } from '../../core/util/code-text.js';
import allPairs from '../../plugins/pairing/all-pairs.js';
import { problem, scored } from '../plugins/pairing/helpers.js';

const GOOD = '    return sorted(xs, reverse=True)\n';
const p = problem('sort_desc');
// One correct candidate and trivial negatives of every kind, plus realistic ones.
const candidates = () => scored(p, [
  [GOOD, 1, 'SUCCESS'],
  ['', 0, 'SYNTAX_ERROR'],
  ['I cannot help with that.', 0, 'SYNTAX_ERROR'],
  ["I'm sorry, but as an AI language model I can't write this.", 0, 'SYNTAX_ERROR'],
  ['This function should sort the list and then give it back to the caller.', 0, 'SYNTAX_ERROR'],
  ['    pass\n', 0, 'WRONG_OUTPUT'],
  ['    # your code here\n', 0, 'SYNTAX_ERROR'],
  [GOOD + '  ', 0, 'TIMEOUT'], // the same program, a flaky timeout: identical to the chosen side
  ['    return sorted(xs)\n', 0.25, 'WRONG_OUTPUT'], // realistic negatives from here on
  ['    return xs.sort(reverse=True)\n', 0, 'WRONG_OUTPUT'],
  ['    return sorted(xs, reverse=True\n', 0, 'SYNTAX_ERROR'],
  ['    return xs[0] / 0\n', 0, 'RUNTIME_ERROR'],
]);

/** The schema's defaults (stages.pairing.gates), overridden per test. */
const gates = (o: Partial<GateOptions>): GateOptions => ({ minPairs: 1, minProblems: 1, maxDropShare: 0.5, requireCode: true, rejectPatterns: [], ...o });

async function pairsOf() {
  const pairing = await instantiate<Pairing>(allPairs as never, { dedupe: false }, createTestContext());
  return pairing.pair(p, candidates());
}

test('trivial negatives are rejected with counts per reason; realistic ones are kept', async () => {
  const pairs = await pairsOf();
  const { kept, report, failure } = applyGates(pairs, gates({ maxDropShare: 0.9 }));
  assert.is(failure, undefined);
  // GOOD is chosen against all 11 others; the 0.25 candidate is chosen against every zero-scored one.
  assert.is(pairs.filter((x) => x.chosen === GOOD).length, 11);
  assert.is(report.dropped.empty, 2);
  assert.is(report.dropped.refusal, 4);
  assert.is(report.dropped.not_code, 2);
  assert.is(report.dropped.template, 4);
  assert.is(report.dropped.identical, 1);
  assert.is(report.input, pairs.length);
  assert.is(report.kept, kept.length);
  // What survives: only realistic programs on both sides.
  // (The flaky timeout of the correct program still loses to the 0.25 candidate: scores decide, gates only catch trivia.)
  assert.equal([...new Set(kept.map((x) => x.rejected))].sort(), ['    return sorted(xs)\n', '    return sorted(xs, reverse=True\n', '    return xs.sort(reverse=True)\n', '    return xs[0] / 0\n', GOOD + '  '].sort());
  for (const pair of kept) assert.ok(pair.chosen === GOOD || pair.chosen === '    return sorted(xs)\n');
});

test('the gates fail with CRUCIBLE_E_PAIRING_GATES when the dropped share exceeds the maximum, and say why', async () => {
  const { failure, report } = applyGates(await pairsOf(), gates({ maxDropShare: 0.3 }));
  assert.is(failure?.code, 'CRUCIBLE_E_PAIRING_GATES');
  assert.match(failure!.message, /dropped \d+\.\d% of \d+ pairs \(empty 2, identical 1, refusal 4, template 4, not_code 2\), more than the allowed 30\.0%/);
  assert.is(failure!.issues[0].path, 'stages.pairing.gates.maxDropShare');
  assert.ok(failure!.issues[0].hint);
  assert.is(report.passed, false);
});

test('too few pairs or problems fail the stage too; a bad pattern names its path', async () => {
  const { failure } = applyGates(await pairsOf(), gates({ minPairs: 100, minProblems: 2, maxDropShare: 1 }));
  assert.equal(failure!.issues.map((d) => d.path), ['stages.pairing.gates.minPairs', 'stages.pairing.gates.minProblems']);
  assert.throws(() => applyGates([], gates({ rejectPatterns: ['('] })), (e: { code?: string; issues?: Array<{ path: string }> }) => e.code === 'CRUCIBLE_E_MANIFEST' && e.issues?.[0].path === 'stages.pairing.gates.rejectPatterns');
});

test('code heuristics: real completions with docstrings are code; prose, stubs and placeholders are not', () => {
  const humaneval = '""" Check if in given list of numbers, are any two numbers closer to each other than\n    given threshold.\n    >>> has_close_elements([1.0, 2.0, 3.0], 0.5)\n    False\n    """\n    for i in range(len(numbers)):\n        for j in range(i+1, len(numbers)):\n            if abs(numbers[i] - numbers[j]) < threshold:\n                return True\n    return False';
  assert.ok(looksLikeCode(humaneval));
  assert.ok(looksLikeCode('```python\ndef f(x):\n    return x + 1\n```'));
  assert.not.ok(looksLikeCode('Here is how you would approach it. First sort the numbers, then compare neighbours.'));
  assert.ok(isTemplate('    pass'));
  assert.ok(isTemplate('    raise NotImplementedError("todo")'));
  assert.ok(isTemplate('    # TODO: write me\n'));
  assert.not.ok(isTemplate(humaneval));
});

test('external pairs (no statuses) go through the same gates; requireCode off keeps prose for non-code data', () => {
  const prose: PreferencePair[] = [
    { prompt: 'Q', chosen: 'A careful, correct answer.', rejected: 'A sloppy answer.', problemId: 'q1', chosenScore: 1, rejectedScore: 0 },
    { prompt: 'Q', chosen: 'A careful, correct answer.', rejected: 'I cannot help with that', problemId: 'q1', chosenScore: 1, rejectedScore: 0 },
  ];
  const { kept, report } = applyGates(prose, gates({ requireCode: false }));
  assert.is(kept.length, 1);
  assert.is(report.dropped.refusal, 1);
});

test.run();
