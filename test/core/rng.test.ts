import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SeededRng, deriveSeed } from '../../core/util/rng.js';

test('same seed gives the same stream; forks are independent of draw order', () => {
  const a = new SeededRng(42);
  const b = new SeededRng(42);
  assert.equal([a.next(), a.next(), a.int(100)], [b.next(), b.next(), b.int(100)]);
  const c = new SeededRng(42);
  c.next();
  assert.is(c.fork('split').next(), new SeededRng(42).fork('split').next());
  assert.is.not(deriveSeed(42, 'x'), deriveSeed(42, 'y'));
});

test('shuffle is a permutation', () => {
  const items = Array.from({ length: 50 }, (_, i) => i);
  const shuffled = new SeededRng(7).shuffle(items);
  assert.is.not(shuffled.join(), items.join());
  assert.equal([...shuffled].sort((x, y) => x - y), items);
});

test.run();
