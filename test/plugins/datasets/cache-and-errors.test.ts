// Issue 15: the dataset helpers' cache lives in a per-user 0700 folder and its entries are verified by
// content hash (a poisoned entry is rebuilt); JSON errors in data files name file, line and what was
// expected, never the file's content.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import humaneval from '../../../plugins/datasets/humaneval.js';
import mbpp from '../../../plugins/datasets/mbpp.js';
import { defaultCacheDir } from '../../../plugins/datasets/python/verified-cache.js';
import { createTestContext, instantiate } from '../../../core/testing/index.js';
import { isCrucibleError } from '../../../core/kernel/errors.js';
import { readJsonl } from '../../../core/util/jsonl.js';
import { sha256 } from '../../../core/util/hash.js';
import type { Dataset } from '../../../core/kernel/contract/kinds.js';
import type { AnyPlugin } from '../../../core/kernel/contract/define-plugin.js';
import { tempDir } from '../../helpers/kernel.js';

const SECRET = 'root:$6$hunter2-not-for-you:19000:0:99999:7:::';

function writeHumanEval(dir: string): string {
  const record = (k: number) => ({
    task_id: `T/${k}`,
    prompt: `def add_${k}(x):\n    """add ${k}"""\n`,
    entry_point: `add_${k}`,
    canonical_solution: `    return x + ${k}\n`,
    test: `def check(candidate):\n    assert candidate(1) == ${1 + k}\n    assert candidate(2) == ${2 + k}\n`,
  });
  const file = join(dir, 'mini.jsonl');
  writeFileSync(file, [record(1), record(2)].map((r) => JSON.stringify(r)).join('\n') + '\n');
  return file;
}

async function loadError(plugin: AnyPlugin, config: Record<string, unknown>, baseDir: string) {
  try {
    await (await instantiate<Dataset>(plugin, config, createTestContext({ baseDir }))).load();
  } catch (error) {
    assert.ok(isCrucibleError(error), String(error));
    return error;
  }
  throw new Error('expected the load to fail');
}

test('the default cache folder is per user, outside the shared temp folder', () => {
  const dir = defaultCacheDir({ HOME: homedir() });
  assert.ok(dir.startsWith(join(homedir(), '.cache')), dir);
  assert.not.ok(dir.startsWith(tmpdir() + '/'), dir);
  assert.is(defaultCacheDir({ XDG_CACHE_HOME: '/somewhere' }), '/somewhere/crucible/datasets');
});

test('a poisoned cache entry is rebuilt, never trusted; new folders are 0700 and entries 0600', async () => {
  const dir = tempDir('crucible-dscache-');
  writeHumanEval(dir);
  const cacheDir = join(dir, 'cache');
  const load = async () => (await instantiate<Dataset>(humaneval, { path: 'mini.jsonl', cacheDir }, createTestContext({ baseDir: dir }))).load();
  const first = await load();
  assert.is(statSync(cacheDir).mode & 0o777, 0o700);
  const entry = join(cacheDir, readdirSync(cacheDir).find((f) => f.startsWith('split-checks-'))!);
  assert.is(statSync(entry).mode & 0o777, 0o600);
  const good = readFileSync(entry, 'utf8');
  // Tests that always pass, planted under the old hash line: the hash no longer matches, the entry is rebuilt.
  const [hashLine, payload] = [good.slice(0, 64), good.slice(65)];
  writeFileSync(entry, `${hashLine}\n${payload.replace(/assert candidate\(1\) == 2/g, 'assert True')}`);
  assert.equal(await load(), first);
  assert.is(readFileSync(entry, 'utf8'), good, 'the entry was rewritten from a fresh computation');
  // An entry without any hash (the old /tmp format) is not trusted either.
  writeFileSync(entry, payload.replace(/assert candidate\(1\) == 2/g, 'assert True'));
  assert.equal(await load(), first);
  assert.is(sha256(readFileSync(entry, 'utf8').slice(65)), readFileSync(entry, 'utf8').slice(0, 64));
});

test('a cache folder other users can write to is not used', async () => {
  const dir = tempDir('crucible-dscache-');
  writeHumanEval(dir);
  const cacheDir = join(dir, 'shared-cache');
  mkdirSync(cacheDir);
  chmodSync(cacheDir, 0o777);
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.message);
  process.on('warning', onWarning);
  try {
    const problems = await (await instantiate<Dataset>(humaneval, { path: 'mini.jsonl', cacheDir }, createTestContext({ baseDir: dir }))).load();
    assert.is(problems.length, 2);
    await new Promise((r) => setImmediate(r));
  } finally {
    process.off('warning', onWarning);
  }
  assert.equal(readdirSync(cacheDir), [], 'nothing written to (or read from) it');
  assert.ok(warnings.some((w) => w.includes('other users can write to it')), warnings.join('\n'));
});

test('JSON errors name file and line and what was expected, never the content', async () => {
  const dir = tempDir('crucible-dserr-');
  const jsonl = join(dir, 'leak.jsonl');
  writeFileSync(jsonl, `${JSON.stringify({ task_id: 'a' })}\n${SECRET}\n`);
  for (const plugin of [humaneval as unknown as AnyPlugin, mbpp as unknown as AnyPlugin]) {
    const error = await loadError(plugin, { path: 'leak.jsonl', cacheDir: 'none' }, dir);
    const text = JSON.stringify(error.toJSON()) + error.format();
    assert.is(error.issues[0].line, 2);
    assert.match(text, /not valid JSON: unexpected character( at column \d+)? \(expected a JSON value\)/);
    assert.not.ok(text.includes('root') || text.includes('hunter2'), text);
  }
  const array = join(dir, 'leak.json');
  writeFileSync(array, `[\n  {"task_id": 1},\n  ${SECRET}\n]\n`);
  const arrayError = await loadError(mbpp, { path: 'leak.json', cacheDir: 'none' }, dir);
  assert.is(arrayError.issues[0].line, 3);
  assert.not.ok((JSON.stringify(arrayError.toJSON()) + arrayError.format()).includes('hunter2'));
  for (const [content, expected] of [
    [`{"prompt": "x", ${SECRET}}`, /malformed object at column 17/],
    ['{"prompt": "secret-hunter2', /ends too early/],
    ['{"a": 1} hunter2', /extra text after the JSON value/],
  ] as const) {
    const file = join(dir, 'prefs.jsonl');
    writeFileSync(file, content + '\n');
    try {
      readJsonl(file);
      assert.unreachable('parsed');
    } catch (error) {
      assert.ok(isCrucibleError(error));
      assert.match(error.message, expected);
      assert.not.ok(error.format().includes('hunter2'), error.format());
    }
  }
});

test.run();
