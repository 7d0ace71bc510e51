import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createTestContext, instantiate, type TestContext } from '../../../core/testing/index.js';
import type { Problem } from '../../../core/kernel/contract/data.js';
import type { Generator, ProblemSamples } from '../../../core/kernel/contract/kinds.js';
import type { CrucibleError } from '../../../core/kernel/errors.js';
import plugin from '../../../plugins/generators/openai-compatible/index.js';
import { backoffMs, parseRetryAfter } from '../../../plugins/generators/openai-compatible/retry.js';
import { startFaultServer, type Behaviour } from './openai-fault-server.js';

const problems: Problem[] = ['a', 'b', 'c'].map((id) => ({ id, prompt: `def ${id}():\n`, entryPoint: id, tests: [], language: 'python', meta: {} }));
const fast = { retryBaseMs: 5, retryMaxMs: 50, timeoutMs: 2000 };

async function collect(gen: Generator, ps: Problem[] = problems, n = 1): Promise<ProblemSamples[]> {
  const out: ProblemSamples[] = [];
  for await (const s of gen.generate(ps, { n })) out.push(s);
  return out.sort((x, y) => x.problem.id.localeCompare(y.problem.id));
}

async function generator(url: string | string[], extra: Record<string, unknown> = {}, ctx: TestContext = createTestContext()): Promise<Generator> {
  return instantiate<Generator>(plugin as never, { baseURL: url, model: 'm', ...fast, ...extra }, ctx);
}

async function expectFailure(promise: Promise<unknown>, pattern: RegExp): Promise<CrucibleError> {
  try {
    await promise;
  } catch (e) {
    const err = e as CrucibleError;
    assert.is(err.code, 'CRUCIBLE_E_GENERATOR', err.message);
    assert.match(err.message, pattern);
    return err;
  }
  throw new Error('expected a failure');
}

async function withServer(script: Behaviour[], fn: (s: Awaited<ReturnType<typeof startFaultServer>>) => Promise<void>) {
  const server = await startFaultServer(script);
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

test('429 with Retry-After is waited out, then answered', () =>
  withServer([{ status: 429, retryAfter: '1' }, 'ok'], async (server) => {
    const gen = await generator(server.url, { retryMaxMs: 5000 });
    const started = Date.now();
    const [one] = await collect(gen, problems.slice(0, 1));
    assert.ok(Date.now() - started >= 950, 'waited for Retry-After (1 s), not the 5 ms backoff');
    assert.is(server.count, 2);
    assert.match(one.candidates[0].code, /^def a\(\):\n {4}return \d+/);
  }));

test('Retry-After: seconds, HTTP dates and retry-after-ms', () => {
  assert.is(parseRetryAfter(new Headers({ 'retry-after': '2' })), 2000);
  assert.is(parseRetryAfter(new Headers({ 'retry-after-ms': '150' })), 150);
  assert.is(parseRetryAfter(new Headers({ 'retry-after': new Date(10_000).toUTCString() }), 7_000), 3000);
  assert.is(parseRetryAfter(new Headers({})), undefined);
});

test('backoff: full jitter under an exponential ceiling, capped', () => {
  assert.is(backoffMs(0, 500, 30000, () => 1), 500);
  assert.is(backoffMs(3, 500, 30000, () => 1), 4000);
  assert.is(backoffMs(10, 500, 30000, () => 1), 30000);
  assert.is(backoffMs(3, 500, 30000, () => 0.25), 1000);
  assert.is(backoffMs(3, 500, 30000, () => 0), 0);
});

test('500s are retried; a server that keeps failing fails the stage with a clear error', async () => {
  await withServer([{ status: 500 }, { status: 503 }, 'ok'], async (server) => {
    const [one] = await collect(await generator(server.url), problems.slice(0, 1));
    assert.is(server.count, 3);
    assert.is(one.candidates.length, 1);
  });
  await withServer([{ status: 500 }], async (server) => {
    const err = await expectFailure(collect(await generator(server.url, { maxRetries: 2 }), problems.slice(0, 1)), /after 3 attempts: HTTP 500/);
    assert.match(err.message, /sample a#0/);
    assert.is(server.count, 3);
  });
});

test('client errors (400) are not retried', () =>
  withServer([{ status: 400 }], async (server) => {
    await expectFailure(collect(await generator(server.url), problems.slice(0, 1)), /not retryable.*HTTP 400/);
    assert.is(server.count, 1);
  }));

test('dropped connections are retried', () =>
  withServer(['drop', 'drop', 'ok'], async (server) => {
    const [one] = await collect(await generator(server.url), problems.slice(0, 1));
    assert.is(server.count, 3);
    assert.is(one.candidates.length, 1);
  }));

test('slow answers time out per request and are retried, within limits', async () => {
  await withServer([{ delayMs: 1500 }, 'ok'], async (server) => {
    const [one] = await collect(await generator(server.url, { timeoutMs: 200 }), problems.slice(0, 1));
    assert.is(server.count, 2);
    assert.is(one.candidates.length, 1);
  });
  await withServer([{ delayMs: 1500 }], async (server) => {
    await expectFailure(collect(await generator(server.url, { timeoutMs: 150, maxRetries: 1 }), problems.slice(0, 1)), /after 2 attempts: no complete answer within 150 ms/);
  });
});

test('malformed JSON and answers of the wrong shape are retried', () =>
  withServer(['malformed', 'shape', 'ok'], async (server) => {
    const [one] = await collect(await generator(server.url), problems.slice(0, 1));
    assert.is(server.count, 3);
    assert.is(one.candidates.length, 1);
  }));

test('answers received before a failure are cached; the resumed run asks only for the rest', async () => {
  const ctx = createTestContext();
  // 2 good answers, then the server breaks for good.
  await withServer(['ok', 'ok', { status: 500 }], async (server) => {
    await expectFailure(collect(await generator(server.url, { concurrency: 1, maxRetries: 1 }, ctx), problems, 2), /HTTP 500/);
    assert.is(server.count, 4, 'no new request was started after the failure');
  });
  await withServer(['ok'], async (server) => {
    const out = await collect(await generator(server.url, { concurrency: 1, maxRetries: 1 }, ctx), problems, 2);
    assert.is(out.flatMap((s) => s.candidates).length, 6);
    assert.is(server.count, 4, '6 samples - 2 cached = 4 requests');
  });
  await withServer(['ok'], async (server) => {
    await collect(await generator(server.url, {}, ctx), problems, 2);
    assert.is(server.count, 0, 'a full rerun sends nothing');
  });
});

test('cancelling the run aborts requests in flight with CRUCIBLE_E_CANCELLED', () =>
  withServer([{ delayMs: 5000 }], async (server) => {
    const ctx = createTestContext();
    const gen = await generator(server.url, { timeoutMs: 10000 }, ctx);
    setTimeout(() => ctx.abort(), 100);
    const started = Date.now();
    try {
      await collect(gen, problems, 2);
      assert.unreachable();
    } catch (e) {
      assert.is((e as CrucibleError).code, 'CRUCIBLE_E_CANCELLED');
    }
    assert.ok(Date.now() - started < 2000, 'did not wait for the slow answers');
  }));

test('several base URLs: load is spread, and a dead one is stepped around', async () => {
  const a = await startFaultServer(['ok']);
  const b = await startFaultServer(['ok']);
  const dead = await startFaultServer([{ status: 503 }]);
  try {
    const many = problems.concat(['d', 'e', 'f'].map((id) => ({ ...problems[0], id })));
    await collect(await generator([a.url, b.url], { concurrency: 4 }), many, 2);
    assert.is(a.count + b.count, 12);
    assert.ok(a.count >= 3 && b.count >= 3, `spread: ${a.count}/${b.count}`);
    const out = await collect(await generator([dead.url, a.url], { concurrency: 1, maxRetries: 1 }), problems, 1);
    assert.is(out.length, 3);
  } finally {
    await Promise.all([a.close(), b.close(), dead.close()]);
  }
});

test('API key from the named environment variable: sent, never recorded; a missing one is an input error', async () => {
  process.env.CRUCIBLE_TEST_KEY = 'sk-secret-123';
  const ctx = createTestContext();
  await withServer(['ok'], async (server) => {
    const gen = await generator(server.url, { apiKeyEnv: 'CRUCIBLE_TEST_KEY', extra: { top_k: 20, min_p: 0.05 } }, ctx);
    await collect(gen, problems.slice(0, 1));
    assert.is(server.headers[0].authorization, 'Bearer sk-secret-123');
    assert.is(server.bodies[0].top_k, 20, 'engine extras pass through');
    assert.is(server.bodies[0].min_p, 0.05);
    const written = JSON.stringify([ctx.recorded, gen.info()]) + readAll(ctx.files.dir);
    assert.not.match(written, /sk-secret-123/);
    assert.match(JSON.stringify(gen.info()), /CRUCIBLE_TEST_KEY/);
  });
  delete process.env.CRUCIBLE_TEST_KEY;
  try {
    await generator('http://127.0.0.1:9/v1', { apiKeyEnv: 'CRUCIBLE_TEST_KEY' });
    assert.unreachable();
  } catch (e) {
    assert.is((e as CrucibleError).code, 'CRUCIBLE_E_INPUT');
    assert.match((e as Error).message, /CRUCIBLE_TEST_KEY is not set/);
  }
});

function readAll(dir: string): string {
  let out = '';
  try {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      out += statSync(p).isDirectory() ? readAll(p) : readFileSync(p, 'utf8');
    }
  } catch {
    // no stage folder written
  }
  return out;
}

test.run();
