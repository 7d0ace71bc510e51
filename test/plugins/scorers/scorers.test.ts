import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';
import { createTestContext, instantiate } from '../../../core/testing/index.js';
import type { Candidate, Execution, ExecutionStatus, Problem } from '../../../core/kernel/contract/data.js';
import type { Scorer } from '../../../core/kernel/contract/kinds.js';
import type { CrucibleError } from '../../../core/kernel/errors.js';
import passRatePlugin from '../../../plugins/scorers/test-pass-rate.js';
import judgePlugin, { createLogprobJudge } from '../../../plugins/scorers/logprob-judge.js';
import hybridPlugin, { createHybridScorer } from '../../../plugins/scorers/hybrid.js';
import { mapToUnit } from '../../../plugins/scorers/judge.js';
import { seenPrompts, wordLogprobs } from './fixtures/judge-generator.js';

const here = dirname(fileURLToPath(import.meta.url));
const problem: Problem = { id: 'p1', prompt: 'def f(x):\n', entryPoint: 'f', tests: [1, 2, 3, 4].map((i) => ({ id: `t${i}`, code: 'assert f(1)' })), language: 'python', meta: {} };
const cand = (i: number, completion: string): Candidate => ({ id: `c${i}`, problemId: 'p1', index: i, prompt: problem.prompt, completion, code: problem.prompt + completion });
const exec = (i: number, status: ExecutionStatus, passed: number, error?: string): Execution => ({
  candidateId: `c${i}`, problemId: 'p1', status, passed, total: 4, passRate: passed / 4, tests: [], durationMs: 1, ...(error ? { error } : {}),
});
const injected = { info: () => ({ model: 'judge-7b', promptFormat: 'completion:raw' }), logprobs: async (_p: string, c: string) => wordLogprobs(c) };

test('test-pass-rate: pass rate, zero for syntax errors, timeouts and crashes', async () => {
  const scorer = await instantiate<Scorer>(passRatePlugin as never, {});
  const candidates = [0, 1, 2, 3, 4, 5].map((i) => cand(i, `return ${i}`));
  const executions = [
    exec(0, 'SUCCESS', 4), exec(1, 'WRONG_OUTPUT', 3), exec(2, 'RUNTIME_ERROR', 2, 'ZeroDivisionError'),
    exec(3, 'RUNTIME_ERROR', 1, 'SIGKILL'), exec(4, 'TIMEOUT', 2), exec(5, 'SYNTAX_ERROR', 0),
  ];
  assert.equal(await scorer.score(problem, candidates, executions), [1, 0.75, 0.5, 0, 0, 0]);
  // Executions matched by candidate id, not position.
  assert.equal(await scorer.score(problem, candidates.slice(0, 2), [executions[1], executions[0]]), [1, 0.75]);
  const strict = await instantiate<Scorer>(passRatePlugin as never, { partialCredit: false });
  assert.equal(await strict.score(problem, candidates, executions), [1, 0, 0, 0, 0, 0]);
  try {
    await scorer.score(problem, candidates, []);
    assert.unreachable();
  } catch (e) {
    assert.is((e as CrucibleError).code, 'CRUCIBLE_E_INPUT');
    assert.match((e as Error).message, /needs one execution per candidate/);
  }
});

test('mapping to [0, 1]: min-max and rank with ties; no spread is neutral', () => {
  assert.equal(mapToUnit([-3, -1, -2], 'minmax'), [0, 1, 0.5]);
  assert.equal(mapToUnit([-3, -1, -1, -2], 'rank'), [0, 5 / 6, 5 / 6, 1 / 3]);
  assert.equal(mapToUnit([-1, -1], 'minmax'), [0.5, 0.5]);
  assert.equal(mapToUnit([-2, Number.NEGATIVE_INFINITY, -1], 'minmax'), [0, 0, 1]);
  assert.equal(mapToUnit([-7], 'rank'), [0.5]);
});

test('logprob-judge (injected): mean vs sum normalization, needs no executions, records the judge', async () => {
  const ctx = createTestContext();
  const candidates = [cand(0, 'a b c d'), cand(1, 'a bug'), cand(2, 'a b')];
  // mean: -1, -3, -1 ; sum: -4, -6, -2
  const mean = createLogprobJudge(injected, { normalize: 'mean' }, ctx.events);
  assert.equal(await mean.score(problem, candidates, []), [1, 0, 1]);
  const sum = createLogprobJudge(injected, { normalize: 'sum' });
  assert.equal(await sum.score(problem, candidates, []), [0.5, 0, 1]);
  const rec = ctx.recorded['scorer.judge'] as Record<string, unknown>;
  assert.is(rec.judgeModel, 'judge-7b');
  assert.is(rec.judgePromptFormat, 'completion:raw');
  assert.is(rec.normalize, 'mean');
});

test('logprob-judge plugin resolves its judge generator through the registry and records it', async () => {
  const ctx = createTestContext({ baseDir: here });
  const scorer = await instantiate<Scorer>(judgePlugin as never, { generator: { plugin: './fixtures/judge-generator.ts', config: { model: 'judge-x' } }, template: 'Q: {prompt}' }, ctx);
  seenPrompts.length = 0;
  const scores = await scorer.score(problem, [cand(0, 'x y'), cand(1, 'bug y')], []);
  assert.equal(scores, [1, 0]);
  assert.is(seenPrompts[0], 'Q: def f(x):\n');
  assert.is((ctx.recorded['scorer.judge'] as Record<string, unknown>).judgeModel, 'judge-x');
  assert.is(scorer.describe!().template, 'Q: {prompt}');
});

test('logprob-judge plugin refuses a generator without logprobs, naming the manifest path', async () => {
  const ctx = createTestContext({ baseDir: here });
  try {
    await instantiate(judgePlugin as never, { generator: { plugin: './fixtures/judge-generator.ts', config: { logprobs: false } } }, ctx);
    assert.unreachable();
  } catch (e) {
    assert.is((e as CrucibleError).code, 'CRUCIBLE_E_MANIFEST');
    assert.match((e as Error).message, /stages\.scorer\.config\.generator\.plugin: .*no logprobs/);
  }
});

test('hybrid: pass rate first, judge breaks ties only, never reorders different pass rates', async () => {
  let calls = 0;
  const counting = { ...injected, logprobs: async (p: string, c: string) => { calls++; return wordLogprobs(c); } };
  const scorer = createHybridScorer(counting, { weight: 0.5 }); // capped at 1 / (2 (4 + 1)) = 0.1
  const candidates = [cand(0, 'good code'), cand(1, 'bug bug bug'), cand(2, 'fine'), cand(3, 'bug code'), cand(4, 'x')];
  const executions = [exec(0, 'SUCCESS', 4), exec(1, 'WRONG_OUTPUT', 3), exec(2, 'WRONG_OUTPUT', 3), exec(3, 'SUCCESS', 4), exec(4, 'WRONG_OUTPUT', 2)];
  const s = await scorer.score(problem, candidates, executions);
  assert.is(calls, 4); // candidate 4 is not tied: no judge call
  assert.ok(s[0] > s[3], 'tie at 1.0 broken by the judge');
  assert.ok(s[2] > s[1], 'tie at 0.75 broken by the judge');
  assert.ok(Math.min(s[0], s[3]) > Math.max(s[1], s[2]), 'pass rate dominates');
  assert.ok(Math.min(s[1], s[2]) > s[4]);
  assert.ok(s.every((v) => v >= 0 && v <= 1));
  calls = 0;
  await scorer.score(problem, [candidates[0], candidates[1]], [executions[0], executions[1]]);
  assert.is(calls, 0, 'no ties, no judge calls');
});

test('hybrid plugin validates its config and loads the judge', async () => {
  const ctx = createTestContext({ baseDir: here });
  const scorer = await instantiate<Scorer>(hybridPlugin as never, { generator: { plugin: './fixtures/judge-generator.ts' } }, ctx);
  assert.is(scorer.describe!().scorer, 'hybrid');
  try {
    await instantiate(hybridPlugin as never, { generator: { plugin: './fixtures/judge-generator.ts' }, weigth: 0.1 }, ctx);
    assert.unreachable();
  } catch (e) {
    assert.is((e as CrucibleError).code, 'CRUCIBLE_E_PLUGIN_CONFIG');
  }
});

test.run();
