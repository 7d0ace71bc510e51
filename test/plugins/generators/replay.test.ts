// The replay generator on the real Mistral sample file: counts per problem, deterministic ids, recorded
// verdicts reproduced through the split HumanEval tests, and every kind of mismatch reported.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import replay from '../../../plugins/generators/replay/index.js';
import humaneval from '../../../plugins/datasets/humaneval.js';
import { createTestContext, instantiate, type TestContext } from '../../../core/testing/index.js';
import { isCrucibleError, type CrucibleError } from '../../../core/kernel/errors.js';
import type { Dataset, Generator, ProblemSamples } from '../../../core/kernel/contract/kinds.js';
import type { Problem } from '../../../core/kernel/contract/data.js';
import { DATA, runJobs } from '../datasets/pyrun.js';

const SAMPLES = join(DATA, 'samples', 'humaneval_mistral-7b-instruct-v0.1_n10_t0.2.results.jsonl');
const CLEANUP = ['dedent-fix', 'strip-docstrings', 'mistral-cleanup'];
const tmp = mkdtempSync(join(tmpdir(), 'crucible-replay-'));
const sampleLines = readFileSync(SAMPLES, 'utf8').split('\n').filter(Boolean);
let problems: Problem[];

async function generator(config: Record<string, unknown>, ctx: TestContext = createTestContext({ baseDir: DATA })): Promise<Generator> {
  return instantiate<Generator>(replay, config, ctx);
}

async function collect(gen: Generator, ps: Problem[]): Promise<ProblemSamples[]> {
  const out: ProblemSamples[] = [];
  for await (const item of gen.generate(ps)) out.push(item);
  return out;
}

async function failure(promise: Promise<unknown>): Promise<CrucibleError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isCrucibleError(error), String(error));
    return error;
  }
  throw new Error('expected a failure');
}

test('setup: HumanEval problems', async () => {
  const ds = await instantiate<Dataset>(humaneval, { path: 'HumanEval.jsonl.gz', cacheDir: join(tmp, 'cache') }, createTestContext({ baseDir: DATA }));
  problems = await ds.load();
  assert.is(problems.length, 164);
});

test('1,640 Mistral samples: 10 per problem, deterministic ids, raw kept, info and prompt format recorded', async () => {
  const gen = await generator({ path: 'samples/humaneval_mistral-7b-instruct-v0.1_n10_t0.2.results.jsonl', postprocess: CLEANUP });
  const out = await collect(gen, problems);
  assert.is(out.length, 164);
  assert.is(out.reduce((n, x) => n + x.candidates.length, 0), 1640);
  for (const { problem, candidates } of out) {
    assert.is(candidates.length, 10, problem.id);
    assert.equal(candidates.map((c) => c.id), candidates.map((_, i) => `${problem.id}#${i}`));
    for (const c of candidates) {
      assert.is(c.code, c.prompt + c.completion);
      assert.is(c.promptFormat, 'replay:humaneval');
    }
  }
  const first = out[0].candidates[0];
  assert.ok(first.raw?.startsWith('""" Check if in given list'), 'the raw completion is kept when post-processing changed it');
  assert.not.match(first.completion, /"""/);
  assert.is((first.meta as { recorded: { passed: boolean } }).recorded.passed, true);
  assert.equal(gen.info().model, 'humaneval_mistral-7b-instruct-v0.1_n10_t0.2.results.jsonl');
  assert.is(gen.info().promptFormat, 'replay:humaneval');
  const again = await collect(await generator({ path: SAMPLES, postprocess: CLEANUP }), problems.slice(0, 3));
  assert.is(JSON.stringify(again), JSON.stringify(out.slice(0, 3)), 'same file, same candidates');
});

test('dedent-fix + strip-docstrings + mistral-cleanup reproduce the recorded verdicts (HumanEval/0-59 but 32, through the split tests)', async () => {
  const chosen = problems.slice(0, 60).filter((p) => p.id !== 'HumanEval/32'); // /32's slow samples are covered by the executor's tests
  const out = await collect(await generator({ path: SAMPLES, postprocess: CLEANUP, onExtra: 'warn' }), chosen);
  const jobs = out.flatMap(({ problem, candidates }) =>
    candidates.map((c) => ({ label: c.id, program: c.code, setup: problem.testSetup ?? '', tests: problem.tests.map((t) => t.code) })),
  );
  const results = runJobs(jobs);
  const recorded = new Map(out.flatMap(({ candidates }) => candidates.map((c) => [c.id, (c.meta as { recorded: { passed: boolean } }).recorded.passed])));
  const disagree = results.filter((r) => (!r.setup_error && r.results.every((x) => x === 'pass')) !== recorded.get(r.label));
  assert.is(results.length, 590);
  assert.equal(disagree.map((r) => r.label), []);
  assert.ok([...recorded.values()].filter(Boolean).length > 100, 'a real mix of passing and failing samples');
});

test('without the clean-up the stripped completions do not even parse as the prompt\'s body', async () => {
  const out = await collect(await generator({ path: SAMPLES }), problems.slice(0, 1));
  const c = out[0].candidates[0];
  assert.is(c.raw, undefined);
  const [res] = runJobs([{ label: c.id, program: c.code, setup: out[0].problem.testSetup!, tests: ['pass'] }]);
  assert.match(res.setup_error ?? '', /IndentationError|SyntaxError/);
});

test('a subset of problems: extra task ids are a recorded warning by default, an error with onExtra: error', async () => {
  const ctx = createTestContext({ baseDir: DATA });
  const out = await collect(await generator({ path: SAMPLES }, ctx), problems.slice(0, 5));
  assert.is(out.length, 5);
  const warnings = ctx.recorded['replay.warnings'] as { extra: string[]; missing: string[] };
  assert.is(warnings.extra.length, 159);
  assert.equal(warnings.missing, []);
  const error = await failure(collect(await generator({ path: SAMPLES, onExtra: 'error' }), problems.slice(0, 5)));
  assert.is(error.code, 'CRUCIBLE_E_INPUT');
  assert.match(error.message, /159 task ids not asked for \(HumanEval\/5, /);
});

test('missing problems and wrong counts fail by default, are recorded with onMismatch: warn', async () => {
  const kept = sampleLines.filter((l) => !l.includes('"task_id": "HumanEval/3"') && !l.includes('"task_id":"HumanEval/3"'));
  assert.is(kept.length, 1630);
  const dropOne = kept.filter((l, i) => !(i === kept.findIndex((x) => x.includes('HumanEval/1"'))));
  writeFileSync(join(tmp, 'missing.jsonl'), dropOne.join('\n') + '\n');
  const error = await failure(collect(await generator({ path: join(tmp, 'missing.jsonl') }), problems));
  assert.is(error.code, 'CRUCIBLE_E_INPUT');
  assert.match(error.message, /1 problems without samples \(HumanEval\/3\); 1 problems with a wrong sample count \(HumanEval\/1\)/);
  assert.ok(error.issues.some((d) => d.message === 'problem HumanEval/1 has 9 samples, expected 10'));

  const ctx = createTestContext({ baseDir: DATA });
  const out = await collect(await generator({ path: join(tmp, 'missing.jsonl'), onMismatch: 'warn' }, ctx), problems);
  assert.is(out.find((x) => x.problem.id === 'HumanEval/3')!.candidates.length, 0);
  assert.is(out.find((x) => x.problem.id === 'HumanEval/1')!.candidates.length, 9);
  const warnings = ctx.recorded['replay.warnings'] as { missing: string[]; count: string[] };
  assert.equal(warnings.missing, ['HumanEval/3']);
  assert.equal(warnings.count, ['problem HumanEval/1 has 9 samples, expected 10']);

  const tooMany = await failure(collect(await generator({ path: SAMPLES, n: 12 }), problems.slice(0, 2)));
  assert.match(tooMany.message, /2 problems with a wrong sample count/);
  const fewer = await collect(await generator({ path: SAMPLES, n: 4, onExtra: 'warn', onMismatch: 'warn' }), problems.slice(0, 2));
  assert.equal(fewer.map((x) => x.candidates.length), [4, 4], 'with more samples than n, the first n are used (and the excess reported)');
});

test('evalplus {task_id, solution} samples: the solution is the program as is', async () => {
  const p = problems[2];
  const solution = `${p.prompt}    return number % 1.0\n`;
  writeFileSync(join(tmp, 'evalplus.jsonl'), JSON.stringify({ task_id: p.id, solution }) + '\n');
  const gen = await generator({ path: join(tmp, 'evalplus.jsonl'), format: 'evalplus', model: 'my-model' });
  const [item] = await collect(gen, [p]);
  assert.is(item.candidates[0].code, solution);
  assert.is(item.candidates[0].completion, '    return number % 1.0\n');
  assert.is(item.candidates[0].promptFormat, 'replay:evalplus');
  assert.equal([gen.info().model, gen.info().promptFormat], ['my-model', 'replay:evalplus']);
});

test('a malformed sample line is a CRUCIBLE_E_INPUT error naming the line', async () => {
  writeFileSync(join(tmp, 'bad.jsonl'), [sampleLines[0], sampleLines[1], '{"task_id": "HumanEval/0", "completion": ', sampleLines[2]].join('\n'));
  let error = await failure(collect(await generator({ path: join(tmp, 'bad.jsonl') }), problems.slice(0, 1)));
  assert.is(error.code, 'CRUCIBLE_E_INPUT');
  assert.is(error.issues[0].line, 3);
  writeFileSync(join(tmp, 'shape.jsonl'), [sampleLines[0], '{"task_id": "HumanEval/0", "text": "x"}'].join('\n'));
  error = await failure(collect(await generator({ path: join(tmp, 'shape.jsonl') }), problems.slice(0, 1)));
  assert.match(error.message, /shape.jsonl:2: a sample needs "completion"/);
});

test.run();
