import { test } from 'uvu';
import * as assert from 'uvu/assert';
import plugin from '../../examples/third-party-plugin/index.js';
import { createTestContext, instantiate } from '../../core/testing/index.js';
import '../../core/builtins.js';
import { loadPlugin } from '../../core/kernel/registry/load.js';
import { CrucibleError, type Pairing, type ScoredCandidate } from '../../core/kernel/contract/index.js';
import { join } from 'node:path';

const candidate = (index: number, completion: string, score: number): ScoredCandidate => ({
  candidate: { id: `p#${index}`, problemId: 'p', index, prompt: 'def f():\n', completion, code: completion },
  score,
});

test('the example plugin loads by path through the registry like a built-in', async () => {
  const { plugin: loaded, resolved } = await loadPlugin('pairing', './examples/third-party-plugin/index.ts', { baseDir: join(import.meta.dirname, '..', '..') });
  assert.is(loaded.name, 'shortest-passing');
  assert.is(resolved.source, 'path');
});

test('pairs the shortest passing candidate with each failing one', async () => {
  const pairing = await instantiate<Pairing>(plugin, { maxPairsPerProblem: 2 }, createTestContext());
  const pairs = await pairing.pair({ id: 'p', prompt: 'def f():\n', entryPoint: 'f', tests: [], language: 'python', meta: {} }, [
    candidate(0, '    return 1  # long long', 1),
    candidate(1, '    return 1', 1),
    candidate(2, '    return 2', 0),
    candidate(3, '    return 3', 0.5),
    candidate(4, '    return 4', 0),
  ]);
  assert.is(pairs.length, 2);
  assert.ok(pairs.every((p) => p.chosen === '    return 1'));
  assert.equal(pairs.map((p) => p.rejectedId), ['p#2', 'p#3']);
});

test('bad config is rejected with the manifest path of the key', async () => {
  try {
    await instantiate(plugin, { maxPairsPerProblem: 0 });
    assert.unreachable();
  } catch (error) {
    assert.instance(error, CrucibleError);
    assert.is((error as CrucibleError).issues[0].path, 'stages.pairing.config.maxPairsPerProblem');
  }
});

test.run();
