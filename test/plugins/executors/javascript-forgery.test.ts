// Forgery attempts against the javascript executor. Each candidate below would pass its test in a plain Node
// process running `program + tests` (the way HumanEval-X and MultiPL-E run JavaScript); here the tests run in the
// checker's own realm and process, and only plain data comes back from the candidate, so the worst each earns is
// WRONG_OUTPUT or RUNTIME_ERROR.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createTestContext, instantiate } from '../../../core/testing/index.js';
import type { Execution } from '../../../core/kernel/contract/data.js';
import javascript, { type JavaScriptExecutor } from '../../../plugins/executors/javascript/index.js';
import { findBwrap } from '../../../plugins/executors/sandbox/isolation.js';
import { jsCandidates, jsProblem } from './js-helpers.js';

let executor: JavaScriptExecutor;
const NOT_SUCCESS = ['WRONG_OUTPUT', 'RUNTIME_ERROR'];

test.before(async () => {
  executor = await instantiate<JavaScriptExecutor>(javascript as never, { sandbox: findBwrap() ? 'required' : 'auto', workers: 2, testTimeoutSeconds: 1 }, createTestContext());
});
test.after(async () => {
  await executor.close?.();
});

/** Runs each candidate against `tests`; the expected right answer is f(x) = x * 2 with x = 21. */
async function verdicts(tests: string[], codes: string[]): Promise<Execution[]> {
  return executor.execute(jsProblem(tests), jsCandidates(codes));
}

test('objects with custom valueOf / toString / Symbol.toPrimitive compare as the plain data they hold', async () => {
  const run = await verdicts(['console.assert(f(21) == 42)', 'console.assert(`${f(21)}` === "42")', 'console.assert(f(21) + 0 === 42)'], [
    'class Liar { valueOf() { return 42 } toString() { return "42" } [Symbol.toPrimitive]() { return 42 } }\nconst f = (x) => new Liar()',
    'const f = (x) => ({ valueOf: () => 42, toString: () => "42" })',
  ]);
  assert.equal(run.map((e) => e.status), ['WRONG_OUTPUT', 'RUNTIME_ERROR']);
  assert.is(run[1].error, 'NonPlainValue', 'functions never cross');
});

test('proxies and getters that lie are read once: the test sees a snapshot', async () => {
  const run = await verdicts(['const r = f(21)\nconsole.assert(r.v === 1 && r.v === 2)', 'console.assert(f(21) == 42)'], [
    'let n = 0\nconst f = (x) => ({ get v() { return ++n } })',
    'const f = (x) => new Proxy({}, { get: (t, k) => (k === Symbol.toPrimitive || k === "valueOf" ? () => 42 : undefined) })',
  ]);
  assert.is(run[0].status, 'WRONG_OUTPUT');
  // vm2 gives the candidate no Proxy at all; were one to be had, it would cross as the plain object it wraps.
  assert.ok(NOT_SUCCESS.includes(run[1].status));
  assert.equal(run.map((e) => e.passed), [0, 0]);
});

test('patching console.assert, assert, JSON, Object.prototype, Array.prototype changes only the candidate\'s realm', async () => {
  const tests = ['console.assert(f(21) === 42)', 'console.assert(JSON.stringify(f(21)) === JSON.stringify(42))', 'console.assert(String([f(21)]) === "42")'];
  const run = await verdicts(tests, [
    'console.assert = () => {}\nglobalThis.assert = () => {}\nconst f = (x) => 0',
    'JSON.stringify = () => "same"\nconst f = (x) => 0',
    'Object.prototype.toJSON = function () { return 42 }\nconst f = (x) => ({})',
    'Array.prototype.join = () => "42"\nArray.prototype.toString = () => "42"\nconst f = (x) => 0',
    'Object.defineProperty(Array.prototype, "0", { get() { return 42 }, set() {} })\nconst f = (x) => []',
  ]);
  assert.equal(run.map((e) => e.status), run.map(() => 'WRONG_OUTPUT'), JSON.stringify(run.map((e) => e.tests)));
  assert.ok(run.every((e) => e.passed === 0));
});

test('throwing non-Error values (or an error named AssertionError) is a RUNTIME_ERROR with what was thrown', async () => {
  const run = await verdicts(['console.assert(f(21) === 42)'], [
    'const f = (x) => { throw 42 }',
    'const f = (x) => { throw { name: "AssertionError", message: "fake" } }',
    'class AssertionError extends Error {}\nconst f = (x) => { throw new AssertionError("fake") }',
    'const f = (x) => { throw null }',
    'const f = (x) => { throw { get constructor() { throw new Error("trap") } } }',
  ]);
  assert.equal(run.map((e) => e.status), run.map(() => 'RUNTIME_ERROR'));
  assert.equal(run.map((e) => e.error), ['number', 'Object', 'AssertionError', 'object', 'object']);
});

test('process.exit, printing a forged report line, or reaching for the test source decide nothing', async () => {
  const forged = JSON.stringify({ id: 0, tests: [{ o: 'pass' }], ms: 1 });
  const run = await verdicts(['console.assert(f(21) === 42)'], [
    'const f = (x) => { process.exit(0) }',
    `console.log(${JSON.stringify(forged)})\nconst f = (x) => 0`,
    'const f = (x) => { const s = new Error().stack; return Number((/=== (\\d+)/.exec(s) || [])[1]) || 0 }',
    'const f = function (x) { return Number((/=== (\\d+)/.exec(String(f.caller)) || [])[1]) || 0 }',
  ]);
  assert.equal(run.slice(0, 2).map((e) => e.status), ['RUNTIME_ERROR', 'WRONG_OUTPUT']);
  assert.ok(run.slice(2).every((e) => NOT_SUCCESS.includes(e.status)), JSON.stringify(run.map((e) => e.status)));
  assert.is(run[0].error, 'ReferenceError');
  assert.match(run[1].stderr ?? '', /"o":"pass"/, 'what the program prints is kept as its output, never read as a report');
});

test('an honest candidate still passes next to them', async () => {
  const [e] = await verdicts(['console.assert(f(21) === 42)', 'console.assert(JSON.stringify([f(1)]) === "[2]")'], ['const f = (x) => x * 2']);
  assert.is(e.status, 'SUCCESS');
  assert.ok(NOT_SUCCESS.length === 2);
});

test.run();
