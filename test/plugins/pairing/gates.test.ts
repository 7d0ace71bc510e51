import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { createTestContext, instantiate } from '../../../core/testing/index.js';
import type { Pairing } from '../../../core/kernel/contract/kinds.js';
import type { PreferencePair } from '../../../core/kernel/contract/data.js';
import type { CrucibleError } from '../../../core/kernel/errors.js';
import allPairs from '../../../plugins/pairing/all-pairs.js';
import { isTemplate, looksLikeCode } from '../../../plugins/pairing/gates.js';
import { problem, scored } from './helpers.js';

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

async function run(gates: Record<string, unknown>, ctx = createTestContext()) {
  const pairing = await instantiate<Pairing>(allPairs as never, { dedupe: false, gates }, ctx);
  const pairs = await pairing.pair(p, candidates());
  return { pairs, summary: await pairing.finalize!(pairs), ctx };
}

test('trivial negatives are rejected with counts per reason; realistic ones are kept', async () => {
  const { pairs, summary } = await run({ maxDropShare: 0.9 });
  // GOOD is chosen against all 11 others; the 0.25 candidate is chosen against every zero-scored one.
  assert.is(pairs.filter((x) => x.chosen === GOOD).length, 11);
  const gates = summary.stats.gates as { dropped: Record<string, number>; input: number; kept: number; dropShare: number };
  assert.is(gates.dropped.empty, 2);
  assert.is(gates.dropped.refusal, 4);
  assert.is(gates.dropped.not_code, 2);
  assert.is(gates.dropped.template, 4);
  assert.is(gates.dropped.identical, 1);
  assert.is(gates.input, pairs.length);
  assert.is(gates.kept, summary.pairs.length);
  // What survives: only realistic programs on both sides.
  const kept = new Set(summary.pairs.map((x) => x.rejected));
  // (The flaky timeout of the correct program still loses to the 0.25 candidate: scores decide, gates only catch trivia.)
  assert.equal([...kept].sort(), ['    return sorted(xs)\n', '    return sorted(xs, reverse=True\n', '    return xs.sort(reverse=True)\n', '    return xs[0] / 0\n', GOOD + '  '].sort());
  for (const pair of summary.pairs) {
    assert.ok(pair.chosen === GOOD || pair.chosen === '    return sorted(xs)\n');
    assert.ok(typeof pair.prompt === 'string' && pair.problemId === 'sort_desc' && pair.chosenId && pair.rejectedId && pair.why);
  }
});

test('the stage fails with CRUCIBLE_E_PAIRING_GATES when the dropped share exceeds the maximum, and says why', async () => {
  const ctx = createTestContext();
  try {
    await run({ maxDropShare: 0.3 }, ctx);
    assert.unreachable('the gates should fail the stage');
  } catch (e) {
    const err = e as CrucibleError;
    assert.is(err.code, 'CRUCIBLE_E_PAIRING_GATES');
    assert.match(err.message, /dropped \d+\.\d% of \d+ pairs \(empty 2, identical 1, refusal 4, template 4, not_code 2\), more than the allowed 30\.0%/);
    assert.is(err.issues[0].path, 'stages.pairing.config.gates.maxDropShare');
    assert.ok(err.issues[0].hint);
  }
  const report = ctx.files.path('pairing_gates_report.json');
  assert.ok(existsSync(report), 'the report of why is written');
  const written = JSON.parse(readFileSync(report, 'utf8'));
  assert.is(written.gates.passed, false);
  assert.is(written.gates.dropped.refusal, 4);
});

test('too few pairs or problems fail the stage too', async () => {
  const pairing = await instantiate<Pairing>(allPairs as never, { gates: { minPairs: 100, minProblems: 2, maxDropShare: 1 } });
  const pairs = await pairing.pair(p, candidates());
  try {
    await pairing.finalize!(pairs);
    assert.unreachable();
  } catch (e) {
    const err = e as CrucibleError;
    assert.is(err.code, 'CRUCIBLE_E_PAIRING_GATES');
    assert.equal(err.issues.map((d) => d.path), ['stages.pairing.config.gates.minPairs', 'stages.pairing.config.gates.minProblems']);
  }
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

test('external pairs (no statuses) go through the same gates; requireCode off keeps prose for non-code data', async () => {
  const prose: PreferencePair[] = [
    { prompt: 'Q', chosen: 'A careful, correct answer.', rejected: 'A sloppy answer.', problemId: 'q1', chosenScore: 1, rejectedScore: 0 },
    { prompt: 'Q', chosen: 'A careful, correct answer.', rejected: 'I cannot help with that', problemId: 'q1', chosenScore: 1, rejectedScore: 0 },
  ];
  const textual = await instantiate<Pairing>(allPairs as never, { gates: { requireCode: false, maxDropShare: 0.5 } });
  const s = await textual.finalize!(prose);
  assert.is(s.pairs.length, 1);
  assert.is((s.stats.gates as { dropped: Record<string, number> }).dropped.refusal, 1);
});

test.run();
