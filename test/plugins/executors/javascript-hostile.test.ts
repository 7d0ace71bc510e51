// Hostile JavaScript programs under sandbox "required" (CI installs bubblewrap): each ends as a classified
// execution. A second executor hands candidates Node's process and require (`unsafeHostAccess`), which is what a
// complete escape from vm2 would give them: what they then do must still end inside the outer sandbox, so the
// host sees no file, no connection and no surviving process. Bombs are bounded (fixed sizes, fixed counts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestContext, instantiate } from '../../../core/testing/index.js';
import type { Execution } from '../../../core/kernel/contract/data.js';
import javascript, { JS_UID_BASE, UNSAFE_ENV, type JavaScriptExecutor } from '../../../plugins/executors/javascript/index.js';
import { findBwrap } from '../../../plugins/executors/sandbox/isolation.js';
import { alive, descendantsOf, hostWitness, sleep, type HostWitness } from './helpers.js';
import { jsCandidateProcesses, jsCandidates, jsProblem, jsRunAll } from './js-helpers.js';

const SANDBOX = findBwrap() ? 'required' : 'auto';
const CONFIG = { sandbox: SANDBOX, workers: 2, timeoutSeconds: 2, testTimeoutSeconds: 0.5, settleSeconds: 0.5, memoryMb: 128 };
const ONE = ['console.assert(f(1) === 2)'];
let executor: JavaScriptExecutor;
let escaped: JavaScriptExecutor;
let host: HostWitness;
const marker = join(tmpdir(), `crucible-js-hostile-marker-${process.pid}`);

const one = async (code: string, tests = ONE, on = executor): Promise<Execution> => (await on.execute(jsProblem(tests), jsCandidates([code])))[0];

test.before(async () => {
  executor = await instantiate<JavaScriptExecutor>(javascript as never, CONFIG, createTestContext());
  process.env[UNSAFE_ENV] = '1';
  escaped = await instantiate<JavaScriptExecutor>(javascript as never, { ...CONFIG, workers: 1, unsafeHostAccess: true }, createTestContext());
  delete process.env[UNSAFE_ENV];
  host = await hostWitness('crucible-js-hostile-');
});

test.after(async () => {
  await executor.close?.();
  await escaped.close?.();
  host.close();
  rmSync(marker, { force: true });
});

test('unsafeHostAccess is refused unless the operator\'s environment allows it', async () => {
  try {
    await instantiate(javascript as never, { ...CONFIG, unsafeHostAccess: true }, createTestContext());
    assert.unreachable('should have thrown');
  } catch (error) {
    assert.match(String(error), /CRUCIBLE_E_PLUGIN_NOT_ALLOWED/);
    assert.match(String(error), /stages\.executor\.config\.unsafeHostAccess/);
  }
});

test('runs in bubblewrap, the candidate process under an unprivileged uid when started as root', async () => {
  await one('const f = (x) => x + 1');
  if (SANDBOX === 'required') assert.is(executor.describe().sandbox, 'bwrap');
  if (process.getuid?.() === 0) assert.ok(Number(executor.describe().candidateUid) >= JS_UID_BASE, JSON.stringify(executor.describe()));
});

test('loops end as TIMEOUT: synchronous (vm2 timeout), microtask (wall limit), timers that never stop (settle)', async () => {
  const run = await jsRunAll(executor, ONE, [
    'const f = (x) => { while (true) {} }',
    'while (true) {}',
    'const f = (x) => { (async () => { for (;;) await null })(); return x + 1 }\nconst g = 0',
    'setInterval(() => {}, 5)\nconst f = (x) => x + 1',
  ]);
  assert.equal(run.map((e) => e.status), ['TIMEOUT', 'TIMEOUT', 'TIMEOUT', 'TIMEOUT'], JSON.stringify(run.map((e) => [e.error, e.tests])));
  assert.is(run[3].passed, 1, 'its test passed; the program never finishing is what makes it a TIMEOUT');
});

test('a promise that never resolves decides nothing and holds nothing open', async () => {
  const e = await one('const f = (x) => new Promise(() => {})', ['console.assert(f(1) === 2)', 'console.assert(JSON.stringify(f(1)) === "{}")']);
  assert.is(e.status, 'WRONG_OUTPUT');
  assert.equal(e.tests.map((t) => t.outcome), ['fail', 'pass'], 'a promise crosses as what JSON.stringify sees: {}');
});

test('memory bombs end as RUNTIME_ERROR: heap (the process dies: "memory"), string doubling, a huge buffer', async () => {
  const run = await jsRunAll(executor, ONE, [
    'const f = (x) => { const a = []; for (let i = 0; i < 64; i++) a.push(new Array(1 << 22).fill(i + 0.5)); return a.length }',
    'const f = (x) => { let s = "x"; for (let i = 0; i < 40; i++) s += s; return s.length }',
    'const f = (x) => new ArrayBuffer(2 ** 32).byteLength',
    'const f = (x) => f(x + 1)',
  ]);
  assert.equal(run.map((e) => e.status), ['RUNTIME_ERROR', 'RUNTIME_ERROR', 'RUNTIME_ERROR', 'RUNTIME_ERROR']);
  assert.equal(run.map((e) => e.error), ['memory', 'RangeError', 'RangeError', 'RangeError']);
  assert.is((await one('const f = (x) => x + 1')).status, 'SUCCESS', 'the dead process was replaced');
});

test('no way out of vm2: require, process, Function constructor, host prototypes, prepareStackTrace, Symbol tricks', async () => {
  // Each returns "escaped" only when it got hold of the host's process; the test expects exactly that.
  const tests = ['console.assert(f(0) === "escaped")'];
  const got = (expr: string) => `const f = () => { const p = (${expr}); return p && typeof p.pid === 'number' ? 'escaped' : 'contained' }`;
  const run = await jsRunAll(executor, tests, [
    got("require('child_process') && process"),
    got('process.binding("fs") && process'),
    got("this.constructor.constructor('return process')()"),
    got("(() => {}).constructor('return process')()"),
    got("Buffer.from('a').constructor.constructor('return process')()"),
    got("(() => { Error.prepareStackTrace = (e, frames) => frames.map((c) => c.getThis()).find((t) => t && t.process); const t = new Error().stack; return t && t.process })()"),
    got("(() => { const o = {}; o[Symbol.for('nodejs.util.inspect.custom')] = (d, opts, inspect) => inspect.constructor('return process')(); return String(o) && undefined })()"),
    got("(() => { Object.prototype.__defineGetter__('process', function () { return this }); return ({}).process.process })()"),
    got('globalThis.process || globalThis.global.process'),
    got('import("node:process")'),
  ]);
  for (const e of run) assert.ok(e.status === 'RUNTIME_ERROR' || e.status === 'WRONG_OUTPUT', `${e.candidateId}: ${e.status} ${e.error}`);
});

test('writing files and opening connections fail inside vm2 (no fs, no net)', async () => {
  const run = await jsRunAll(executor, ONE, [
    `const f = (x) => { require('fs').writeFileSync(${JSON.stringify(marker)}, 'x'); return 2 }`,
    `const f = (x) => { fetch('http://127.0.0.1:${host.port}/'); return 2 }`,
    `const f = (x) => { new WebSocket('ws://127.0.0.1:${host.port}/'); return 2 }`,
  ]);
  assert.equal(run.map((e) => e.status), ['RUNTIME_ERROR', 'RUNTIME_ERROR', 'RUNTIME_ERROR']);
  assert.not.ok(existsSync(marker));
});

test('an escape from vm2 still ends inside the outer sandbox: no host file, no connection, no surviving process', async () => {
  if (SANDBOX !== 'required') return; // the outer layer is bubblewrap; without it this is what "off" means
  const hostile = `const h = __host
const fs = h.require('fs'), net = h.require('net'), cp = h.require('child_process')
let log = []
const attempt = (what, fn) => { try { fn(); log.push(what + ':ok') } catch (e) { log.push(what + ':' + e.code) } }
attempt('marker', () => fs.writeFileSync(${JSON.stringify(marker)}, 'escaped'))
attempt('canary', () => fs.writeFileSync(${JSON.stringify(host.canary)}, 'overwritten'))
attempt('tmp', () => fs.writeFileSync('/tmp/escaped', 'x'))
attempt('spawn', () => { const c = cp.spawn('sleep', ['300'], { detached: true, stdio: 'ignore' }); c.unref() })
attempt('fork-bounded', () => { for (let i = 0; i < 8; i++) cp.spawn('sleep', ['300'], { detached: true, stdio: 'ignore' }).unref() })
const s = net.connect(${host.port}, '127.0.0.1'); s.on('error', () => {})
attempt('checker-stdout', () => fs.writeSync(fs.openSync('/proc/' + h.process.ppid + '/fd/1', 'w'), '{"id":0,"tests":[{"o":"pass"}],"ms":1}\\n'))
console.log(log.join(' '))
const f = (x) => 0`;
  const before = jsCandidateProcesses();
  const e = await one(hostile, ONE, escaped);
  assert.is(e.status, 'WRONG_OUTPUT', `${e.status} ${e.stderr}`);
  assert.match(e.stderr ?? '', /canary:ENOENT/, `the host folder does not exist inside the sandbox: ${e.stderr}`);
  assert.match(e.stderr ?? '', /spawn:ok/, 'the escape really had child_process');
  if (process.getuid?.() === 0) assert.match(e.stderr ?? '', /checker-stdout:EACCES/, 'the checker\'s report channel is out of reach');
  const exiting = await one('const f = (x) => { __host.process.exit(0) }', ONE, escaped);
  assert.is(exiting.status, 'RUNTIME_ERROR');
  assert.match(exiting.error ?? '', /worker died \(exit 0\)/);
  await sleep(300);
  assert.not.ok(existsSync(marker), 'no file on the host');
  assert.is(readFileSync(host.canary, 'utf8'), 'keep me');
  assert.not.ok(existsSync('/tmp/escaped'));
  assert.is(host.connections(), 0, 'no connection reached the host');
  const checkers = escaped.checkerPids();
  await escaped.close?.();
  await sleep(200);
  assert.ok(checkers.every((pid) => !alive(pid) && descendantsOf(pid).length === 0));
  const left = jsCandidateProcesses().filter((pid) => !before.includes(pid));
  assert.equal(left, [], 'no candidate process survives');
});

test.run();
