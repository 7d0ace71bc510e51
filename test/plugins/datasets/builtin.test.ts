// The builtin dataset: size, determinism, shape, and every solution (canonical and the alternative
// styles the SFT recipe uses) passing every test under a real python3.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import plugin from '../../../plugins/datasets/builtin/index.js';
import { builtinProblems, FAMILIES, familyCounts, familyParams, render } from '../../../plugins/datasets/builtin/generate.js';
import { SeededRng, deriveSeed } from '../../../core/util/rng.js';
import { instantiate } from '../../../core/testing/index.js';
import { splitProblems } from '../../../core/pipeline/split.js';
import type { Dataset } from '../../../core/kernel/contract/kinds.js';

// A tiny runner: each (program, test) pair runs in a fresh namespace; reports failures only.
const RUNNER = `
import json, sys
jobs = json.load(sys.stdin)
bad = []
for job in jobs:
    for t in job['tests']:
        g = {}
        try:
            exec(job['code'], g)
            exec(t, g)
        except BaseException as e:
            bad.append([job['label'], t, type(e).__name__ + ': ' + str(e)])
print(json.dumps(bad))
`;
function runPython(jobs: { label: string; code: string; tests: string[] }[]): string[][] {
  const res = spawnSync('python3', ['-c', RUNNER], { input: JSON.stringify(jobs), encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.is(res.status, 0, res.stderr);
  return JSON.parse(res.stdout);
}

const problems = builtinProblems();

test('size, families and split', () => {
  assert.is(problems.length, 200);
  assert.ok(FAMILIES.length >= 30);
  assert.is(new Set(problems.map((p) => p.meta.family)).size, FAMILIES.length);
  const split = splitProblems(problems);
  assert.equal([split.train.length, split.val.length, split.test.length], [100, 40, 60]);
});

test('deterministic across calls', () => {
  assert.is(JSON.stringify(builtinProblems()), JSON.stringify(problems));
});

test('shape: unique ids, >= 3 independent asserts, prompt matches the entry point', () => {
  assert.is(new Set(problems.map((p) => p.id)).size, problems.length);
  assert.is(new Set(problems.map((p) => p.prompt)).size, problems.length, 'prompts are distinct');
  for (const p of problems) {
    assert.match(p.id, /^builtin\/[a-z_]+\/\d+$/);
    assert.ok(p.tests.length >= 3, `${p.id} has ${p.tests.length} tests`);
    assert.is(new Set(p.tests.map((t) => t.id)).size, p.tests.length);
    for (const t of p.tests) assert.ok(t.code.startsWith(`assert ${p.entryPoint}(`), t.code);
    assert.ok(p.prompt.startsWith(`def ${p.entryPoint}(`), p.id);
    assert.ok(p.prompt.endsWith('    """\n'), p.id);
    assert.ok(p.prompt.includes(`>>> ${p.entryPoint}(`), `${p.id} has a docstring example`);
    assert.is(p.language, 'python');
    assert.ok(p.canonicalSolution!.startsWith('    '));
    assert.ok(p.canonicalSolution!.split('\n').filter(Boolean).length <= 8, `${p.id}: short body`);
    assert.ok(typeof p.meta.family === 'string' && p.meta.params !== undefined);
  }
});

test('every canonical solution passes all its tests (python3)', () => {
  const bad = runPython(problems.map((p) => ({ label: p.id, code: p.prompt + p.canonicalSolution, tests: p.tests.map((t) => t.code) })));
  assert.equal(bad, []);
});

test('the empty body fails, so the tests check something', () => {
  const bad = runPython(problems.map((p) => ({ label: p.id, code: p.prompt + '    return None\n', tests: p.tests.map((t) => t.code) })));
  const failing = new Set(bad.map((b) => b[0]));
  assert.ok(failing.size >= problems.length - 2, `only ${failing.size} problems reject 'return None'`);
});

test('every solution style of every family passes on fresh parameters', () => {
  const jobs: { label: string; code: string; tests: string[] }[] = [];
  const counts = familyCounts();
  for (const family of FAMILIES) {
    const rng = new SeededRng(deriveSeed(7, family.name));
    const params = [...familyParams(family, counts.get(family.name)!), ...Array.from({ length: 12 }, () => family.sample(rng))];
    params.forEach((p, i) => {
      const r = render(family.build(p, rng.fork(String(i))));
      r.solutions.forEach((body, s) => jobs.push({ label: `${family.name}#${i}/${s}`, code: r.prompt + body, tests: r.tests.map((t) => t.code) }));
    });
  }
  assert.equal(runPython(jobs), []);
});

test('a function name identifies its parameter set (no renamed held-out problem in training)', () => {
  for (const family of FAMILIES) {
    const rng = new SeededRng(deriveSeed(3, family.name));
    const byName = new Map<string, string>();
    for (let i = 0; i < 400; i++) {
      const p = family.sample(rng);
      const fn = family.build(p, rng.fork(String(i))).fn;
      const key = JSON.stringify(p);
      assert.is(byName.get(fn) ?? key, key, `${family.name}: ${fn} names two parameter sets`);
      byName.set(fn, key);
    }
  }
});

test('plugin: loads through the contract, count and families filter', async () => {
  const all = await (await instantiate<Dataset>(plugin as never, {})).load();
  assert.is(all.length, 200);
  const few = await (await instantiate<Dataset>(plugin as never, { count: 20 })).load();
  assert.is(few.length, 20);
  assert.is(new Set(few.map((p) => p.meta.family)).size, 20, 'count spans families');
  const fam = await (await instantiate<Dataset>(plugin as never, { families: ['fizz', 'clamp'] })).load();
  assert.ok(fam.length > 0 && fam.every((p) => p.meta.family === 'fizz' || p.meta.family === 'clamp'));
  try {
    await (await instantiate<Dataset>(plugin as never, { families: ['nope'] })).load();
    assert.unreachable('unknown family accepted');
  } catch (e) {
    assert.match(String((e as Error).message), /unknown families nope/);
  }
});

test.run();
