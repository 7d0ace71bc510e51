// Built-in plugins declared with PluginTester, as a third-party author would test them: configs accepted and
// refused, fixture outputs, the same output twice under a seed, and an aborted run stopping the replay generator.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PluginTester } from '../../core/testing/index.js';
import type { Candidate, Execution, ExecutionStatus, Problem } from '../../core/kernel/contract/data.js';
import testPassRate from '../../plugins/scorers/test-pass-rate.js';
import allPairs from '../../plugins/pairing/all-pairs.js';
import replay from '../../plugins/generators/replay/index.js';
import { problem as pairingProblem, scored } from './pairing/helpers.js';
import { tempDir } from '../helpers/kernel.js';

const problem: Problem = { id: 'p1', prompt: 'def f(x):\n', entryPoint: 'f', tests: [], language: 'python', meta: {} };
const candidate = (i: number): Candidate => ({ id: `c${i}`, problemId: 'p1', index: i, prompt: problem.prompt, completion: `    return ${i}`, code: '' });
const execution = (i: number, status: ExecutionStatus, passed: number): Execution => ({ candidateId: `c${i}`, problemId: 'p1', status, passed, total: 4, passRate: passed / 4, tests: [], durationMs: 1 });

new PluginTester(testPassRate).run({
  valid: [{ config: {} }, { config: { partialCredit: false } }],
  invalid: [{ config: { partialCredit: 'yes' }, error: { code: 'CRUCIBLE_E_PLUGIN_CONFIG', path: 'stages.scorer.config.partialCredit' } }],
  cases: [{
    name: 'pass rate, zero for syntax errors and timeouts',
    input: { problem, candidates: [0, 1, 2, 3].map(candidate), executions: [execution(0, 'SUCCESS', 4), execution(1, 'WRONG_OUTPUT', 3), execution(2, 'TIMEOUT', 2), execution(3, 'SYNTAX_ERROR', 0)] },
    expected: [1, 0.75, 0, 0],
    // A pure function of its inputs, done in microseconds: the runner checks cancellation between problems.
    honoursAbort: false,
  }],
}, test);

const sortProblem = pairingProblem('sort_desc');
new PluginTester(allPairs, { seed: 3 }).run({
  valid: [{ config: { minGap: 0.5, maxPairsPerProblem: 2 } }],
  invalid: [{ config: { minGap: 2 }, error: { code: 'CRUCIBLE_E_PLUGIN_CONFIG', path: 'stages.pairing.config.minGap' } }],
  cases: [{
    name: 'a seeded cap keeps 2 of the 4 pairs with a gap of at least 0.5',
    config: { minGap: 0.5, maxPairsPerProblem: 2 },
    input: { problem: sortProblem, scored: scored(sortProblem, [['a', 1, 'SUCCESS'], ['bb', 1, 'SUCCESS'], ['ccc', 0, 'WRONG_OUTPUT'], ['dddd', 0.25, 'WRONG_OUTPUT']]) },
    expected: (pairs) => {
      assert.is(pairs.length, 2);
      assert.ok(pairs.every((p) => ['a', 'bb'].includes(p.chosen) && ['ccc', 'dddd'].includes(p.rejected)));
    },
    honoursAbort: false,
  }],
}, test);

const samples = join(tempDir('crucible-replay-tester-'), 'samples.jsonl');
writeFileSync(samples, ['p1', 'p1', 'p2', 'p2'].map((id, k) => JSON.stringify({ task_id: id, completion: `    return ${k}` })).join('\n') + '\n');
const problems: Problem[] = ['p1', 'p2'].map((id) => ({ ...problem, id }));
new PluginTester(replay).run({
  valid: [{ config: { path: samples } }],
  invalid: [{ config: {}, error: { code: 'CRUCIBLE_E_PLUGIN_CONFIG', message: 'path' } }],
  cases: [{
    name: 'replays each problem\'s samples in file order',
    config: { path: samples },
    input: { problems },
    expected: (out) => assert.equal(out.map((o) => [o.problemId, o.candidates.map((c) => c.completion)]), [['p1', ['    return 0', '    return 1']], ['p2', ['    return 2', '    return 3']]]),
  }],
}, test);

test.run();
