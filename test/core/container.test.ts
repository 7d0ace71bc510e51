import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { createRootContainer, createRunContainer, type ProgressFactory } from '../../core/kernel/di/container.js';
import { TOKENS } from '../../core/kernel/di/tokens.js';
import { resolveManifest } from '../../core/index.js';
import { createRun } from '../../core/store/session.js';
import { silentLogger } from '../../core/util/logger.js';
import type { SeededRng } from '../../core/kernel/services/rng.js';
import type { EventLog } from '../../core/kernel/runner/event-log.js';
import { RunStore } from '../../core/store/run-store.js';
import { fixtures, tempDir } from '../helpers/kernel.js';

test('each run gets its own child container: shared store, own seeded RNG, event log and progress', async () => {
  const store = new RunStore(tempDir());
  const root = createRootContainer(store, silentLogger());
  const a = createRun(store, await resolveManifest(join(fixtures, 'manifests', 'toy.json')));
  const b = createRun(store, await resolveManifest(join(fixtures, 'manifests', 'toy.json'), { sets: ['seed=7'] }));
  const ca = createRunContainer(root, a, new AbortController().signal);
  const cb = createRunContainer(root, b, new AbortController().signal);
  assert.is(ca.resolve(TOKENS.RunStore), cb.resolve(TOKENS.RunStore));
  assert.is.not(ca.resolve<EventLog>(TOKENS.EventLog), cb.resolve<EventLog>(TOKENS.EventLog));
  assert.is(ca.resolve<SeededRng>(TOKENS.Rng).seed, 42);
  assert.is(cb.resolve<SeededRng>(TOKENS.Rng).seed, 7);
  const events = ca.resolve<EventLog>(TOKENS.EventLog);
  const seen: unknown[] = [];
  events.on('event', (e) => seen.push(e));
  const progress = ca.resolve<ProgressFactory>(TOKENS.Progress)('generate');
  progress.start(4);
  progress.tick(4);
  assert.ok(seen.length >= 2);
  assert.equal((seen.at(-1) as { stage: string; done: number }).done, 4);
  events.close();
  cb.resolve<EventLog>(TOKENS.EventLog).close();
  store.close();
});

test.run();
