// What the queue sends: identical candidates once (copies get the original's execution under their own id),
// and batches of even sizes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Candidate, Execution } from '../../../../core/kernel/contract/data.js';
import { cutEvenly, sendOnce } from '../../../../plugins/executors/queue/dedupe.js';
import { pythonLayoutKey } from '../../../../plugins/executors/python/layout-key.js';

const candidate = (id: string, code: string): Candidate => ({ id, problemId: 'p', index: 0, prompt: '', completion: code, code });
const ran = (c: Candidate, status: Execution['status']): Execution =>
  ({ candidateId: c.id, problemId: 'p', status, passed: status === 'SUCCESS' ? 1 : 0, total: 1, passRate: status === 'SUCCESS' ? 1 : 0, tests: [{ id: 't', outcome: status === 'SUCCESS' ? 'pass' : 'fail' }], durationMs: 1 }) as unknown as Execution;

test('identical programs are sent once; every candidate gets an execution under its own id, in input order', () => {
  const cs = [candidate('a', 'x'), candidate('b', 'y'), candidate('c', 'x'), candidate('d', 'x'), candidate('e', 'z')];
  const sent = sendOnce(cs, true);
  assert.equal(sent.distinct.map((c) => c.id), ['a', 'b', 'e']);
  assert.equal([...sent.covers], [['a', ['a', 'c', 'd']], ['b', ['b']], ['e', ['e']]]);
  const out = sent.expand([ran(cs[0], 'SUCCESS'), ran(cs[1], 'WRONG_OUTPUT'), ran(cs[4], 'SYNTAX_ERROR')]);
  assert.equal(out.map((e) => [e.candidateId, e.status]), [['a', 'SUCCESS'], ['b', 'WRONG_OUTPUT'], ['c', 'SUCCESS'], ['d', 'SUCCESS'], ['e', 'SYNTAX_ERROR']]);
  assert.ok(out[2].tests !== out[0].tests, 'copies do not share test records');
  // Without dedupe every candidate is sent.
  assert.is(sendOnce(cs, false).distinct.length, 5);
});

test('with the python executor\'s key, programs that differ only in comments and blank lines are sent once, as the executor would run them', () => {
  const cs = [candidate('a', 'def f(x):\n    return x  # one\n'), candidate('b', 'def f(x):\n\n    return x\n'), candidate('c', 'def f(x):\n    return "#"\n')];
  const sent = sendOnce(cs, true, pythonLayoutKey);
  assert.equal(sent.distinct.map((c) => c.id), ['a', 'c']);
  assert.equal(sent.covers.get('a'), ['a', 'b']);
  // By text alone all three are distinct.
  assert.is(sendOnce(cs, true).distinct.length, 3);
});

test('batches are cut evenly, never over the size', () => {
  const sizes = (n: number, size: number) => cutEvenly(Array.from({ length: n }, (_, i) => i), size).map((b) => b.length);
  assert.equal(sizes(10, 4), [4, 3, 3]);
  assert.equal(sizes(5, 4), [3, 2]);
  assert.equal(sizes(8, 4), [4, 4]);
  assert.equal(sizes(1, 64), [1]);
  assert.equal(cutEvenly([1, 2, 3, 4, 5], 2).flat(), [1, 2, 3, 4, 5]);
});

test.run();
