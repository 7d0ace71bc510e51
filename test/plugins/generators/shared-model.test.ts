// tfjs-lm's configured model is a run-wide shared service: the policy generator and a log-prob judge over the
// same folder and backend load it once (one tfjs.backend record), and a trained policy stays the generator's own.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Generator, Scorer } from '../../../core/kernel/contract/kinds.js';
import { createTestContext, instantiate } from '../../../core/testing/index.js';
import tfjsLm from '../../../plugins/generators/tfjs-lm/index.js';
import judgePlugin from '../../../plugins/scorers/logprob-judge.js';

test('a generator and a judge on the same model folder load it once per run', async () => {
  const base = createTestContext();
  let loads = 0;
  const ctx = { ...base, events: { ...base.events, record: (key: string, value: unknown) => { if (key === 'tfjs.backend') loads++; base.events.record(key, value); } } };
  const generator = await instantiate<Generator>(tfjsLm as never, { backend: 'cpu' }, ctx);
  const judge = await instantiate<Scorer>(judgePlugin as never, { generator: { plugin: 'tfjs-lm', config: { backend: 'cpu' } } }, ctx);
  const lp = await generator.logprobs!('def f(x):\n', '    return x\n');
  const problem = { id: 'p', prompt: 'def f(x):\n', entryPoint: 'f', tests: [], language: 'python' as const, meta: {} };
  const candidates = ['    return x\n', '    return 1\n'].map((completion, index) => ({ id: `p#${index}`, problemId: 'p', index, prompt: problem.prompt, completion, code: problem.prompt + completion }));
  const scores = await judge.score(problem, candidates, []);
  assert.ok(Number.isFinite(lp.sum) && scores.length === 2);
  assert.is(loads, 1, 'the judge used the generator\'s loaded model');
  await generator.close?.();
  // Closing the generator leaves the shared model to the run: the judge still scores.
  assert.is((await judge.score(problem, candidates, [])).length, 2);
  assert.is(loads, 1);
});

test.run();
