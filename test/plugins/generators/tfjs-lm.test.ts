import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { createTestContext, instantiate } from '../../../core/testing/index.js';
import type { Generator, ProblemSamples } from '../../../core/kernel/contract/kinds.js';
import type { Problem } from '../../../core/kernel/contract/data.js';
import plugin from '../../../plugins/generators/tfjs-lm/index.js';
import { tmp, writeTinyModel } from '../lm/helpers.js';
import { ensureBackend } from '../../../plugins/lm/index.js';

test.before(async () => { await ensureBackend('auto'); });

const problem = (id: string, prompt: string): Problem => ({ id, prompt, entryPoint: 'f', tests: [], language: 'python', meta: {} });
const problems = [problem('p/0', 'def f(x):\n'), problem('p/1', 'def g(a, b):\n    return'), problem('p/2', 'x = ')];

async function collect(gen: Generator, ps: Problem[]): Promise<Map<string, ProblemSamples>> {
  const out = new Map<string, ProblemSamples>();
  for await (const s of gen.generate(ps)) out.set(s.problem.id, s);
  return out;
}

test('tfjs-lm samples candidates with log-probs, seeded per problem (order-independent)', async () => {
  const dir = tmp();
  writeTinyModel(join(dir, 'm'), {}, 9);
  const ctx = createTestContext({ baseDir: dir, seed: 42 });
  const gen = await instantiate<Generator>(plugin as never, { model: 'm', n: 3, maxTokens: 10, batchSize: 4, stop: ['\n\n'] }, ctx);
  const a = await collect(gen, problems);
  const b = await collect(gen, [...problems].reverse());
  assert.is(a.size, 3);
  for (const p of problems) {
    const ca = a.get(p.id)!.candidates;
    assert.is(ca.length, 3);
    assert.equal(ca.map((c) => c.completion), b.get(p.id)!.candidates.map((c) => c.completion));
    for (const c of ca) {
      assert.is(c.code, p.prompt + c.completion);
      assert.is(c.promptFormat, 'completion:raw');
      assert.is(c.id, `${p.id}#${c.index}`);
      assert.ok(typeof c.logprob === 'number' && c.logprob <= 0);
      if (c.completion) {
        const lp = await gen.logprobs!(p.prompt, c.completion);
        assert.ok(Math.abs(lp.sum - c.logprob!) < 1e-3);
      }
    }
  }
  assert.is(ctx.recorded['tfjs.backend'] !== undefined, true);
  assert.is(gen.info().promptFormat, 'completion:raw');
  assert.equal(gen.baseModel!(), { kind: 'policy', path: join(dir, 'm') });
  // withModel: the same generator over another folder gives other samples.
  writeTinyModel(join(dir, 'other'), {}, 10);
  const other = await gen.withModel!({ kind: 'policy', path: join(dir, 'other') });
  const c = await collect(other, problems.slice(0, 1));
  assert.is(c.get('p/0')!.candidates.length, 3);
  assert.is(other.baseModel!()!.path, join(dir, 'other'));
  await other.close!();
  await gen.close!();
});

test('tfjs-lm reports a missing model folder as CRUCIBLE_E_MODEL', async () => {
  const gen = await instantiate<Generator>(plugin as never, { model: 'does/not/exist' }, createTestContext({ baseDir: tmp() }));
  try {
    await collect(gen, problems.slice(0, 1));
    assert.unreachable();
  } catch (e) {
    assert.is((e as { code?: string }).code, 'CRUCIBLE_E_MODEL');
  }
});

test.run();
