// The package's own tests, declared with crucible's PluginTester: configs the schema accepts and refuses,
// fixture pairs, determinism under a seed, and a cancelled run stopping the plugin.
import { test } from 'uvu';
import { PluginTester } from 'crucible-ml/testing';
import type { Problem, ScoredCandidate } from 'crucible-ml';
import plugin from '../src/index.js';

const problem: Problem = { id: 'p', prompt: 'def f():\n', entryPoint: 'f', tests: [], language: 'python', meta: {} };
const scored = (index: number, completion: string, score: number): ScoredCandidate => ({
  candidate: { id: `p#${index}`, problemId: 'p', index, prompt: problem.prompt, completion, code: problem.prompt + completion },
  score,
});
const candidates = [
  scored(0, '    return 1  # long long', 1),
  scored(1, '    return 1', 1),
  scored(2, '    return 2', 0),
  scored(3, '    return 3', 0.5),
  scored(4, '    return 4', 0),
];
const pair = (rejected: ScoredCandidate) => ({
  prompt: problem.prompt, chosen: '    return 1', rejected: rejected.candidate.completion, problemId: 'p',
  chosenScore: 1, rejectedScore: rejected.score, chosenId: 'p#1', rejectedId: rejected.candidate.id, why: 'shortest passing vs failing',
});

new PluginTester(plugin).run({
  valid: [{ config: {} }, { config: { passThreshold: 0.5, maxPairsPerProblem: 2 } }],
  invalid: [
    { config: { maxPairsPerProblem: 0 }, error: { code: 'CRUCIBLE_E_PLUGIN_CONFIG', path: 'stages.pairing.config.maxPairsPerProblem' } },
    { config: { passThreshold: 2 }, error: { code: 'CRUCIBLE_E_PLUGIN_CONFIG', path: 'stages.pairing.config.passThreshold' } },
    { name: 'an unknown key', config: { maxPairs: 2 }, error: { code: 'CRUCIBLE_E_PLUGIN_CONFIG', path: 'stages.pairing.config.maxPairs', message: 'is not a known option' } },
  ],
  cases: [
    {
      name: 'the shortest passing candidate against each failing one, up to the limit',
      config: { maxPairsPerProblem: 2 },
      input: { problem, scored: candidates },
      expected: [pair(candidates[2]), pair(candidates[3])],
    },
    {
      name: 'no pairs without a passing candidate',
      input: { problem, scored: [scored(0, '    return 2', 0), scored(1, '    return 3', 0.5)] },
      expected: [],
    },
  ],
}, test);

test.run();
