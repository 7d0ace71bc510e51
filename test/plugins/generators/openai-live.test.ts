// The happy path against crucible's own OpenAI-compatible server on loopback.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createTestContext, instantiate, type TestContext } from '../../../core/testing/index.js';
import type { Problem } from '../../../core/kernel/contract/data.js';
import type { Generator, ProblemSamples } from '../../../core/kernel/contract/kinds.js';
import plugin from '../../../plugins/generators/openai-compatible/index.js';
import { createLogprobJudge } from '../../../plugins/scorers/logprob-judge.js';
import { startModelServer } from '../../../plugins/lm/server/index.js';
import { testModel } from '../lm/server-model.js';

let server: Awaited<ReturnType<typeof startModelServer>>;
const problems: Problem[] = [
  { id: 'p/add', prompt: 'def add(a, b):\n    """Return a + b."""\n', entryPoint: 'add', tests: [], language: 'python', meta: {} },
  { id: 'p/neg', prompt: 'def neg(x):\n    """Return -x."""\n', entryPoint: 'neg', tests: [], language: 'python', meta: {} },
];

test.before(async () => {
  const { model } = await testModel();
  server = await startModelServer({ model, port: 0 });
});
test.after(async () => {
  await server.close();
});

const requests = () => server.stats.requests;

async function run(config: Record<string, unknown>, ctx: TestContext = createTestContext(), n = 3): Promise<{ gen: Generator; out: ProblemSamples[] }> {
  const gen = await instantiate<Generator>(plugin as never, { baseURL: server.url, model: server.model.id, maxTokens: 24, ...config }, ctx);
  const out: ProblemSamples[] = [];
  // The call's seed wins over the config's (evaluators vary it); config.seed applies when the call sets none.
  for await (const s of gen.generate(problems, config.seed === undefined ? { n, seed: 42 } : { n })) out.push(s);
  out.sort((a, b) => a.problem.id.localeCompare(b.problem.id));
  return { gen, out };
}

test('completions: n samples per problem, reproducible with a fixed seed, with log-probs; a cached rerun sends nothing', async () => {
  const ctx = createTestContext();
  const before = requests();
  const first = await run({}, ctx);
  assert.is(requests() - before, 6, 'one request per sample');
  const candidates = first.out.flatMap((s) => s.candidates);
  assert.equal(candidates.map((c) => c.id), ['p/add#0', 'p/add#1', 'p/add#2', 'p/neg#0', 'p/neg#1', 'p/neg#2']);
  for (const c of candidates) {
    const problem = problems.find((p) => p.id === c.problemId)!;
    assert.is(c.code, problem.prompt + c.completion);
    assert.is(c.promptFormat, 'completion:raw');
    assert.type(c.logprob, 'number');
    assert.ok((c.logprob as number) <= 0);
    assert.ok((c.tokens ?? 0) >= 0);
  }
  assert.is((ctx.recorded['generator.promptFormat'] as { promptFormat: string }).promptFormat, 'completion:raw');
  assert.is(first.gen.info().promptFormat, 'completion:raw');

  // A fresh cache and the same seed: the same samples, asked again.
  const second = await run({}, createTestContext());
  assert.equal(second.out.flatMap((s) => s.candidates.map((c) => c.completion)), candidates.map((c) => c.completion));
  // Samples of one problem differ in seed.
  assert.is(new Set(candidates.map((c) => (c.meta as { seed: number }).seed)).size, 6);

  // The same cache: nothing reaches the server.
  const mark = requests();
  const third = await run({}, ctx);
  assert.is(requests(), mark, 'a cached rerun sends zero requests (counted at the server)');
  assert.equal(third.out.flatMap((s) => s.candidates), candidates);
  const stats = (await (await fetch(`${server.url}/stats`)).json()) as { requests: number };
  assert.is(stats.requests, mark);
});

test('another seed gives other samples', async () => {
  const a = await run({ seed: 1 }, createTestContext(), 1);
  const b = await run({ seed: 2 }, createTestContext(), 1);
  const gen = await instantiate<Generator>(plugin as never, { baseURL: server.url, model: server.model.id, maxTokens: 24 }, createTestContext());
  const out: ProblemSamples[] = [];
  for await (const s of gen.generate(problems.slice(0, 1), { n: 1, seed: 2 })) out.push(s);
  assert.is(out[0].candidates[0].completion, b.out[0].candidates[0].completion, 'options.seed and config.seed agree');
  assert.ok(a.out.some((s, i) => s.candidates[0].completion !== b.out[i].candidates[0].completion));
});

test('chat: messages from the template, recorded as chat:<name>, code extracted', async () => {
  const ctx = createTestContext();
  const { out } = await run({ endpoint: 'chat', chat: { name: 'plain-instruct', system: 'You write Python.' } }, ctx, 2);
  const c = out[0].candidates[0];
  assert.is(c.promptFormat, 'chat:plain-instruct');
  assert.type(c.code, 'string');
  const recorded = ctx.recorded['generator.promptFormat'] as { promptFormat: string; system: string; user: string };
  assert.is(recorded.promptFormat, 'chat:plain-instruct');
  assert.is(recorded.system, 'You write Python.');
  assert.match(recorded.user, /\{prompt\}/);
  // Post-processing changed the reply: the model's own text is kept beside the code.
  for (const cand of out.flatMap((s) => s.candidates)) {
    assert.ok(cand.code.length > 0);
    if (cand.raw !== undefined) assert.is.not(cand.raw, cand.code);
  }
});

test('logprobs(prompt, completion) through echo matches the model, and a log-prob judge can use it', async () => {
  const ctx = createTestContext();
  const { gen, out } = await run({ temperature: 0.7 }, ctx, 2);
  // A clean completion after a prompt ending in a newline: the joint and split tokenizations agree.
  const prompt = problems[0].prompt;
  const completion = '    return a + b\n';
  const scored = await gen.logprobs!(prompt, completion);
  const direct = await server.model.logprobs(prompt, completion);
  assert.is(scored.tokens.length, direct.tokens.length);
  assert.ok(Math.abs(scored.sum - direct.sum) < 1e-3, `${scored.sum} vs ${direct.sum}`);
  const mark = requests();
  await gen.logprobs!(prompt, completion);
  assert.is(requests(), mark, 'scores are cached too');

  const judge = createLogprobJudge(gen as Required<Generator>, { normalize: 'mean' });
  const scores = await judge.score(problems[0], out[0].candidates, []);
  assert.is(scores.length, out[0].candidates.length);
  assert.ok(scores.every((s) => s >= 0 && s <= 1));
});

test.run();
