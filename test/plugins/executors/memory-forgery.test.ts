// Candidates that look for the answers in memory their process may have inherited from the checker (HumanEval+/MBPP+
// expected outputs, test sources, the canonical solution a job line carries) through gc, sys.modules['__main__'] or
// their callers' frames. Each runs as the first job of a fresh executor (the job that carries the canonical solution)
// and must never pass a test.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import humaneval from '../../../plugins/datasets/humaneval.js';
import python, { type PythonExecutor } from '../../../plugins/executors/python/index.js';
import { createTestContext, instantiate } from '../../../core/testing/index.js';
import type { Dataset } from '../../../core/kernel/contract/kinds.js';
import type { Execution, Problem } from '../../../core/kernel/contract/data.js';
import { candidates, problem } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'crucible-memory-forgery-'));
const CANONICAL = 'def f(x):\n    return x * 7 + 3\n';
let plus: Problem;
const base = problem(['assert candidate(1) == 10', 'assert candidate(2) == 17', 'assert candidate(5) == 38'], {
  id: 'base', testSetup: 'candidate = f\n', canonicalSolution: CANONICAL,
});

/** Each hack returns the answer it found, or None. */
const HACKS: Record<string, string> = {
  'expected outputs through gc': `def f(x):
    import gc
    for o in gc.get_objects():
        if type(o) is dict and 'expected' in o and 'inputs' in o:
            return o['expected'][[list(a) for a in o['inputs']].index([x])]
`,
  'expected outputs through __main__': `def f(x):
    import sys
    for v in list(vars(sys.modules['__main__']).values()):
        if isinstance(v, dict):
            for p in list(v.values()):
                d = p.get('data') if isinstance(p, dict) else None
                if d:
                    return d['expected'][[list(a) for a in d['inputs']].index([x])]
`,
  "expected outputs through the callers' frames": `def f(x):
    import sys
    fr = sys._getframe(1)
    while fr is not None:
        for v in list(fr.f_locals.values()):
            if isinstance(v, dict) and 'expected' in v:
                return v['expected'][[list(a) for a in v['inputs']].index([x])]
        fr = fr.f_back
`,
  'the packed expected values (raw buffers) through gc and closures, in a replaced process': `def f(x):
    import gc, marshal, os
    if x == 1:
        os._exit(3)  # the next input runs in a new process, forked while the checker's closures hold the data
    seen = list(gc.get_objects())
    for o in list(seen):
        for cell in getattr(o, '__closure__', None) or ():
            try:
                seen.append(cell.cell_contents)
            except ValueError:
                pass
    for o in seen:
        buf = getattr(o, 'buf', None)
        at = 0
        while type(buf) is bytearray and at < len(buf):
            try:
                v = marshal.loads(bytes(buf[at:]))
            except Exception:
                break
            if v == x * 7 + 3:
                return v
            at += len(marshal.dumps(v, 4))
`,
  'the canonical solution from the job line': `def f(x):
    import gc
    for o in gc.get_objects():
        if type(o) is dict and isinstance(o.get('canonical'), str):
            ns = {}
            exec(o['canonical'], ns)
            return ns['f'](x)
`,
  'the test sources through gc': `def f(x):
    import gc, re
    # a dict of strings only is not tracked by gc: look one level into the tracked ones (the job holds it)
    for o in [d for t in gc.get_objects() if type(t) is dict for d in [t, *t.values()] if type(d) is dict]:
        if any(isinstance(k, str) and k.startswith('<test ') for k in o):
            for src in o.values():
                m = re.search(r'candidate\\((\\d+)\\) == (\\d+)', src or '')
                if m and int(m.group(1)) == x:
                    return int(m.group(2))
`,
};

async function first(p: Problem, code: string): Promise<Execution> {
  const executor = await instantiate<PythonExecutor>(python as never, { workers: 1 }, createTestContext());
  try {
    return (await executor.execute(p, candidates([code])))[0];
  } finally {
    await executor.close?.();
  }
}

test.before(async () => {
  const prompt = 'def f(x):\n    """seven times x, plus three"""\n';
  const record = { task_id: 'T/seven', prompt, entry_point: 'f', canonical_solution: '    return x * 7 + 3\n', test: '', contract: '', base_input: [[1], [2]], plus_input: [[3], [4], [5]], atol: 0 };
  writeFileSync(join(tmp, 'p.jsonl'), JSON.stringify(record) + '\n');
  const ds = await instantiate<Dataset>(humaneval as never, { path: join(tmp, 'p.jsonl'), variant: 'plus', plusInputs: true, cacheDir: join(tmp, 'cache') }, createTestContext());
  [plus] = await ds.load();
});
test.after(() => rmSync(tmp, { recursive: true, force: true }));

test('the canonical solution itself passes both problems (the hacks below would have had answers to find)', async () => {
  assert.is((await first(plus, CANONICAL)).status, 'SUCCESS');
  assert.is((await first(base, CANONICAL)).status, 'SUCCESS');
});

for (const [name, code] of Object.entries(HACKS)) {
  test(`a candidate cannot read ${name}`, async () => {
    for (const p of [plus, base]) {
      const e = await first(p, code);
      assert.is(e.passed, 0, `${p.id}: ${JSON.stringify(e.tests)}`);
      assert.is.not(e.status, 'SUCCESS');
    }
  });
}

test.run();
