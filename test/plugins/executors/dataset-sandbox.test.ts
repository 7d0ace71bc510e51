// The dataset helper that runs canonical solutions (HumanEval+/MBPP+ expected outputs) runs them in the executor's
// sandbox, not on the host: a canonical solution that looks around sees what a candidate would see.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestContext, instantiate } from '../../../core/testing/index.js';
import type { Problem } from '../../../core/kernel/contract/data.js';
import humaneval from '../../../plugins/datasets/humaneval.js';
import { findBwrap } from '../../../plugins/executors/sandbox/isolation.js';
import { pythonExecutable } from '../../../plugins/datasets/python/run.js';

test('HumanEval+ expected outputs come from a canonical solution run under bubblewrap and an unprivileged uid', async () => {
  if (!findBwrap()) throw new Error('bubblewrap is required for this test (CI installs it)');
  const dir = mkdtempSync(join(tmpdir(), 'crucible-dsbox-'));
  try {
    const hostFile = join(dir, 'host-secret.txt');
    writeFileSync(hostFile, 'secret');
    const canonical = [
      '    import os, socket',
      '    try:',
      '        socket.create_connection(("127.0.0.1", 9), timeout=0.5)',
      '        net = True',
      '    except OSError:',
      '        net = False',
      `    return [x, os.getuid() == 0, os.path.exists(${JSON.stringify(hostFile)}), os.path.exists("/etc/passwd"), net]`,
    ].join('\n') + '\n';
    const record = { task_id: 'HumanEval/0', prompt: 'def look(x):\n', entry_point: 'look', canonical_solution: canonical, test: 'def check(candidate):\n    pass\n', base_input: [[7]], atol: 0, plus_input: [], contract: '' };
    const file = join(dir, 'plus.jsonl');
    writeFileSync(file, JSON.stringify(record) + '\n');
    const ds = await instantiate<{ load(): Promise<Problem[]> }>(humaneval as never, { path: file, cacheDir: 'none' }, createTestContext({ baseDir: dir }));
    const [p] = await ds.load();
    // Expected outputs travel as data (Problem.testData, a marshal file), not as test source.
    const read = 'import marshal,sys; print(repr(marshal.load(open(sys.argv[1],"rb"))["expected"][0]))';
    const expected = execFileSync(pythonExecutable(), ['-S', '-I', '-c', read, p.testData!.file], { encoding: 'utf8' }).trim();
    const asRoot = process.getuid?.() === 0;
    assert.match(expected, asRoot ? '[7, False, False, False, False]' : /\[7, (True|False), False, False, False\]/, expected);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
