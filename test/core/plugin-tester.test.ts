// PluginTester's checks must be able to fail: each deliberately broken plugin below fails exactly the check
// that describes its fault, and a sound plugin passes all of them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { definePlugin, type PreferencePair, type Problem, type ScoredCandidate } from '../../core/index.js';
import { PluginTester, type PluginTesterCases } from '../../core/testing/index.js';

const problem: Problem = { id: 'p', prompt: 'def f():\n', entryPoint: 'f', tests: [], language: 'python', meta: {} };
const scored: ScoredCandidate[] = [0, 1].map((index) => ({
  candidate: { id: `p#${index}`, problemId: 'p', index, prompt: problem.prompt, completion: `    return ${index}`, code: '' },
  score: 1 - index,
}));
const expectedPair: PreferencePair = { prompt: problem.prompt, chosen: '    return 0', rejected: '    return 1', problemId: 'p' };

/** A pairing plugin with switchable faults. */
function pairing(fault?: 'random' | 'ignores-abort' | 'no-rejected' | 'accepts-anything') {
  return definePlugin({
    kind: 'pairing', name: `probe-${fault ?? 'sound'}`, version: '1.0.0', apiVersion: '^1',
    configSchema: fault === 'accepts-anything' ? ({ type: 'object' } as const) : ({ type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, default: 4 } } } as const),
    create: (_config, ctx) => ({
      pair(p: Problem): PreferencePair[] {
        if (fault !== 'ignores-abort') ctx.throwIfCancelled();
        if (fault === 'no-rejected') return [{ prompt: p.prompt, chosen: '    return 0' } as PreferencePair];
        const why = fault === 'random' ? String(Math.random()) : undefined;
        return [{ ...expectedPair, ...(why ? { why } : {}) }];
      },
    }),
  });
}

const cases: PluginTesterCases<'pairing'> = {
  valid: [{ config: { limit: 2 } }],
  invalid: [{ config: { limit: 0 }, error: { code: 'CRUCIBLE_E_PLUGIN_CONFIG', path: 'stages.pairing.config.limit' } }],
  cases: [{ name: 'one pair', input: { problem, scored }, expected: [expectedPair] }],
};

/** Runs every test the tester declares; returns the names of those that failed, with their first line. */
async function failures(plugin: ReturnType<typeof pairing>): Promise<string[]> {
  const declared: Array<[string, () => Promise<void>]> = [];
  new PluginTester(plugin).run(cases, (name, fn) => declared.push([name, fn]));
  assert.is(declared.length, 5, 'one valid, one invalid, the case, its determinism and abort checks');
  const failed: string[] = [];
  for (const [name, fn] of declared) {
    try {
      await fn();
    } catch (error) {
      failed.push(`${name.replace(/^pairing plugin "[^"]+": /, '')} -> ${(error as Error).message.split('\n')[0]}`);
    }
  }
  return failed;
}

test('a sound plugin passes every declared test', async () => {
  assert.equal(await failures(pairing()), []);
});

test('output that changes between runs with the same seed fails the case and its determinism check', async () => {
  const failed = await failures(pairing('random'));
  assert.is(failed.length, 2, failed.join('\n'));
  assert.ok(failed.some((f) => f.startsWith('one pair is deterministic under a seed -> "one pair": two runs with seed 42 differ')));
});

test('a plugin that ignores an aborted run fails only the abort check', async () => {
  assert.equal(await failures(pairing('ignores-abort')), ['one pair stops when the run is aborted -> expected CRUCIBLE_E_CANCELLED, but it ignored the aborted signal and returned']);
});

test("a malformed pair fails with the kernel's output check", async () => {
  const failed = await failures(pairing('no-rejected'));
  assert.ok(failed.some((f) => f.includes('returned a pair (#1) without "rejected" for p')), failed.join('\n'));
});

test('a schema that accepts the invalid config fails the invalid-config test', async () => {
  const failed = await failures(pairing('accepts-anything'));
  assert.equal(failed, ['invalid config {"limit":0} -> expected CRUCIBLE_E_PLUGIN_CONFIG, but the config was accepted']);
});

test("a trainer's result goes through the kernel's output check: a metric that is not a number fails the case", async () => {
  const trainer = (metric: unknown) =>
    definePlugin({
      kind: 'trainer', name: 'probe-trainer', version: '1.0.0', apiVersion: '^1',
      configSchema: { type: 'object', additionalProperties: false, properties: {} } as const,
      create: (_config, ctx) => ({
        async train() {
          ctx.throwIfCancelled();
          return { model: { kind: 'policy' as const, path: 'm' }, stats: {}, metrics: { 'train/loss': metric as number } };
        },
      }),
    });
  const run = async (metric: unknown) => {
    const declared: Array<[string, () => Promise<void>]> = [];
    new PluginTester(trainer(metric)).run({ cases: [{ name: 'trains', input: { pairs: [expectedPair] }, honoursAbort: false }] }, (name, fn) => declared.push([name, fn]));
    const failed: string[] = [];
    for (const [, fn] of declared) await fn().catch((error: Error) => failed.push(error.message.split('\n')[0]));
    return failed;
  };
  assert.equal(await run(0.5), []);
  const failed = await run('low');
  assert.ok(failed.length > 0 && failed.every((f) => f.includes('returned a training result whose "metrics.train/loss" must be number')), failed.join('\n'));
});

test.run();
