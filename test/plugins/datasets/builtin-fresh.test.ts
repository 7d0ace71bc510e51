// The builtin dataset's `fresh` option: hundreds of problems whose parameter sets the embedded model never
// trained on, every split fixed by the dataset (the run seed cannot move a corpus problem into test).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import plugin from '../../../plugins/datasets/builtin/index.js';
import { builtinProblems } from '../../../plugins/datasets/builtin/generate.js';
import { buildCorpus } from '../../../plugins/datasets/builtin/sft-corpus.js';
import { splitProblems, splitWithPins } from '../../../core/pipeline/split.js';
import { instantiate } from '../../../core/testing/index.js';
import type { Dataset } from '../../../core/kernel/contract/kinds.js';
import type { Problem } from '../../../core/kernel/contract/data.js';

const problems: Problem[] = await (await instantiate<Dataset>(plugin as never, { fresh: {} })).load();
const fresh = problems.filter((p) => p.meta.set === 'fresh');
const corpus = buildCorpus();

test('fresh: hundreds of test problems, all 200 kept, ids distinct', () => {
  assert.is(problems.length - fresh.length, 200);
  assert.is(new Set(problems.map((p) => p.id)).size, problems.length);
  const test = problems.filter((p) => p.meta.split === 'test');
  assert.ok(test.length >= 300, `test split has ${test.length}`);
  for (const p of fresh) assert.match(p.id, /^builtin-fresh\/[a-z_]+\/\d+$/);
});

test('fresh: no parameter set of the SFT corpus or of the 200, no prompt or signature of the corpus', () => {
  const base = new Set(builtinProblems().map((p) => `${p.meta.family}|${p.meta.paramKey}`));
  const prompts = new Set(corpus.records.map((r) => r.prompt.split('\n')[0]));
  for (const p of fresh) {
    assert.not.ok(corpus.paramKeys.get(String(p.meta.family))!.has(String(p.meta.paramKey)), `${p.id} is in the corpus`);
    assert.not.ok(base.has(`${p.meta.family}|${p.meta.paramKey}`), `${p.id} is one of the 200`);
    assert.not.ok(prompts.has(p.prompt.split('\n')[0]), `${p.id}'s signature is in the corpus`);
  }
});

test('fresh: the 200 keep the split the SFT corpus was built from; the run seed moves nothing', () => {
  const corpusSplit = splitProblems(builtinProblems());
  for (const s of ['train', 'val', 'test'] as const) {
    for (const p of corpusSplit[s]) assert.is(problems.find((q) => q.id === p.id)!.meta.split, s, p.id);
  }
  const a = splitWithPins(problems, { train: 0.5, val: 0.2, test: 0.3 }, 1);
  const b = splitWithPins(problems, { train: 0.1, val: 0.1, test: 0.8 }, 2);
  assert.is(a.pinned, problems.length);
  assert.equal([...a.assignment], [...b.assignment]);
});

test('fresh: every canonical solution passes its tests (python3)', () => {
  const code = `
import json, sys
bad = []
for job in json.load(sys.stdin):
    for t in job['tests']:
        g = {}
        try:
            exec(job['code'], g); exec(t, g); ok = True
        except BaseException:
            ok = False
        if ok != job['ok']:
            bad.append([job['label'], t])
print(json.dumps(bad))
`;
  const jobs = fresh.flatMap((p) => [
    { label: p.id, ok: true, code: p.prompt + p.canonicalSolution, tests: p.tests.map((t) => t.code) },
  ]);
  const res = spawnSync('python3', ['-c', code], { input: JSON.stringify(jobs), encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.is(res.status, 0, res.stderr);
  assert.equal(JSON.parse(res.stdout), []);
});

test('without fresh the dataset is unchanged: 200 problems, no pinned split', async () => {
  const plain = await (await instantiate<Dataset>(plugin as never, {})).load();
  assert.is(plain.length, 200);
  assert.ok(plain.every((p) => p.meta.split === undefined));
});

test.run();
