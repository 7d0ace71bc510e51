import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createTestContext, instantiate } from '../../../core/testing/index.js';
import type { Pairing } from '../../../core/kernel/contract/kinds.js';
import type { PreferencePair, ScoredCandidate } from '../../../core/kernel/contract/data.js';
import allPairs from '../../../plugins/pairing/all-pairs.js';
import bestOfN from '../../../plugins/pairing/best-of-n.js';
import { applyGates, pairStatistics } from '../../../core/pipeline/pair-quality.js';
import { problem, scored } from './helpers.js';

const A = problem('a');
const B = problem('b');
const inputA = () => scored(A, [
  ['    return sorted(xs, reverse=True)\n', 1, 'SUCCESS'],
  ['    return list(reversed(sorted(xs)))\n', 1, 'SUCCESS'],
  ['    return sorted(xs)\n', 0.5, 'WRONG_OUTPUT'],
  ['    return xs[::-1]\n', 0.5, 'WRONG_OUTPUT'],
  ['    return sorted(xs, reverse=True\n', 0, 'SYNTAX_ERROR'],
  ['    return xs\n', 0.2, 'WRONG_OUTPUT'],
]);
const inputB = () => scored(B, [
  ['    return xs[0]\n', 0, 'RUNTIME_ERROR'],
  ['    return max(xs) / 0\n', 0, 'RUNTIME_ERROR'],
  ['    return xs.sort()\n', 0.25, 'WRONG_OUTPUT'],
  ['    return sorted(xs)[::-1][:3]\n', 0.75, 'WRONG_OUTPUT'],
  ['    return sorted(xs)[::-1][:4]\n', 0.75, 'WRONG_OUTPUT'],
  ['    return sorted(xs)[-1::-1][:3]\n', 0.75, 'WRONG_OUTPUT'],
]);

async function runStrategy(plugin: unknown, config: Record<string, unknown>, inputs: Array<[typeof A, ScoredCandidate[]]>, seed = 42) {
  const pairing = await instantiate<Pairing>(plugin as never, config, createTestContext({ seed }));
  const pairs: PreferencePair[] = [];
  for (const [p, s] of inputs) pairs.push(...(await pairing.pair(p, s)));
  const summary = await pairing.finalize!(pairs);
  // What the kernel's pair stage adds for every pairing plugin: gates (schema defaults) and statistics.
  const { kept, report } = applyGates(summary.pairs, { minPairs: 1, minProblems: 1, maxDropShare: 0.5, requireCode: true, rejectPatterns: [] });
  return { pairs: kept, stats: { ...pairStatistics(kept), gates: report, candidates: summary.stats.candidates as Record<string, number> } };
}

test('all-pairs vs best-of-n on the same scored input: statistics differ the expected way', async () => {
  const input: Array<[typeof A, ScoredCandidate[]]> = [[A, inputA()], [B, inputB()]];
  const all = await runStrategy(allPairs, {}, input);
  const bon = await runStrategy(bestOfN, {}, input);
  // all-pairs: every pair with gap >= 0.1 (15 - 2 ties in A, 15 - 4 ties in B).
  assert.is(all.stats.pairs, 13 + 11);
  // best-of-n: the best against the others below it by >= 0.1 (A: 4, the other 1.0 is a tie; B: 3).
  assert.is(bon.stats.pairs, 4 + 3);
  assert.is(bon.stats.distinctChosenPerProblem.max, 1);
  assert.ok(all.stats.distinctChosenPerProblem.max > 1);
  assert.ok(bon.stats.pairsPerProblem.max <= 5);
  assert.ok(bon.stats.scoreGap.mean > all.stats.scoreGap.mean, 'best-of-n pairs the top against the rest: larger gaps');
  assert.ok(Math.abs(all.stats.scoreGap.mean - 13.9 / 24) < 1e-9);
  assert.ok(Math.abs(bon.stats.scoreGap.mean - 4.8 / 7) < 1e-9);
  assert.equal(bon.stats.statusMix.chosen, { SUCCESS: 4, WRONG_OUTPUT: 3 });
  assert.ok((all.stats.statusMix.chosen.WRONG_OUTPUT ?? 0) > 3);
  assert.is(all.stats.scoreGap.histogram.counts.reduce((s, v) => s + v, 0), 24);
  assert.is(all.stats.scoreGap.histogram.counts[9], 2); // the two gaps of exactly 1.0 land in the last bin
  assert.is(all.stats.gates.kept, 24);
});

test('best-of-n breaks ties for best deterministically, whatever the input order', async () => {
  const forward = await runStrategy(bestOfN, {}, [[A, inputA()]]);
  const backward = await runStrategy(bestOfN, {}, [[A, inputA().reverse()]]);
  assert.equal(forward.pairs.map((p) => p.chosenId), Array(4).fill('a:0'));
  assert.equal(backward.pairs.map((p) => [p.chosenId, p.rejectedId]).sort(), forward.pairs.map((p) => [p.chosenId, p.rejectedId]).sort());
  // TRL format: prompt plus the completions themselves.
  const first = forward.pairs[0];
  assert.is(first.prompt, A.prompt);
  assert.is(first.chosen, '    return sorted(xs, reverse=True)\n');
  assert.match(first.why!, /^best-of-n: best of 6/);
});

test('best-of-n hard negatives: edit distance or the sampling model\'s log-prob', async () => {
  const close = await runStrategy(bestOfN, { hardNegatives: { maxEditDistance: 0.2 } }, [[A, inputA()]]);
  // Only the one-character slip (a missing parenthesis) is close to the best; the other negatives are far.
  assert.equal(close.pairs.map((p) => p.rejected), ['    return sorted(xs, reverse=True\n']);
  assert.match(close.pairs[0].why!, /edit distance 0\.03/);
  assert.is(close.stats.candidates.notHard, 3);
  const withLp = scored(A, [
    ['    return sorted(xs, reverse=True)\n', 1, 'SUCCESS', { logprob: -2, tokens: 10 }],
    ['    return sorted(xs)\n', 0, 'WRONG_OUTPUT', { logprob: -3, tokens: 10 }], // mean -0.3: likely
    ['    return 42\n', 0, 'WRONG_OUTPUT', { logprob: -40, tokens: 10 }], // mean -4: unlikely
    ['    return None\n', 0, 'WRONG_OUTPUT'], // no logprob
  ]);
  const likely = await runStrategy(bestOfN, { hardNegatives: { minMeanLogprob: -1 } }, [[A, withLp]]);
  assert.equal(likely.pairs.map((p) => p.rejectedId), ['a:1']);
  assert.is(likely.stats.candidates.negativesWithoutLogprob, 1);
});

test('all-pairs options: chosenMin (AceCoder), rejectedMin, dedupe, seeded cap per problem', async () => {
  const ace = await runStrategy(allPairs, { chosenMin: 0.8 }, [[A, inputA()], [B, inputB()]]);
  assert.ok(ace.pairs.every((p) => p.chosenScore! >= 0.8));
  assert.is(ace.stats.problems, 1);
  const rej = await runStrategy(allPairs, { rejectedMin: 0.2 }, [[A, inputA()]]);
  assert.ok(rej.pairs.every((p) => p.rejectedScore! >= 0.2));
  const dup = scored(A, [['    return 1\n', 1, 'SUCCESS'], ['    return 1\n', 1, 'SUCCESS'], ['    return 0\n', 0, 'WRONG_OUTPUT']]);
  const deduped = await runStrategy(allPairs, {}, [[A, dup]]);
  assert.is(deduped.pairs.length, 1);
  assert.is(deduped.stats.candidates.duplicatesDropped, 1);
  const capped1 = await runStrategy(allPairs, { maxPairsPerProblem: 5 }, [[A, inputA()], [B, inputB()]], 7);
  const capped2 = await runStrategy(allPairs, { maxPairsPerProblem: 5 }, [[B, inputB()], [A, inputA()]], 7);
  assert.is(capped1.pairs.length, 10);
  assert.is(capped1.stats.candidates.cappedOut, 14);
  const ids = (r: typeof capped1) => r.pairs.map((p) => `${p.chosenId}>${p.rejectedId}`).sort();
  assert.equal(ids(capped1), ids(capped2), 'the cap samples per problem, independent of problem order');
  const capped3 = await runStrategy(allPairs, { maxPairsPerProblem: 5 }, [[A, inputA()], [B, inputB()]], 8);
  assert.not.equal(ids(capped1), ids(capped3), 'another seed samples differently');
});

test('minGap is applied with float slack (0.3 - 0.2 counts as 0.1)', async () => {
  const s = scored(A, [['    return 3\n', 0.3, 'WRONG_OUTPUT'], ['    return 2\n', 0.2, 'WRONG_OUTPUT']]);
  const r = await runStrategy(allPairs, { minGap: 0.1 }, [[A, s]]);
  assert.is(r.pairs.length, 1);
});

test.run();
