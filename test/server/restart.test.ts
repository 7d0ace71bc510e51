// Durability (issue 8): a server killed with a running and a queued run loses neither. The worker dies with
// the server (no orphan keeps executing); the next start re-queues the interrupted run (or leaves it
// FAILED-resumable with --on-restart leave) and the queued one still runs.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tempDir } from '../helpers/kernel.js';
import { alive, api, MANIFESTS, PLUGIN_DIRS, pidsMentioning, readEvents, spawnServer, TOKEN, waitFor } from './helpers.js';

const args = (runsDir: string, extra: string[] = []) => ['--runs-dir', runsDir, '--manifests-dir', MANIFESTS, ...PLUGIN_DIRS.flatMap((d) => ['--allow-plugin-dir', d]), ...extra];
const slow = (name: string) => JSON.stringify({ extends: 'toy.json', name, stages: { generator: { config: { delayMs: 70 } } } });

async function crashWithRunningAndQueued(runsDir: string) {
  const first = spawnServer(args(runsDir), { CRUCIBLE_TOKEN: TOKEN });
  const url = await first.url;
  const running = (await api(url, '/v1/runs', { method: 'POST', body: slow('crash-running') })).body.id as string;
  const queued = (await api(url, '/v1/runs', { method: 'POST', body: slow('crash-queued') })).body.id as string;
  // Kill mid-generation, after some items were written.
  await waitFor(async () => {
    const run = (await api(url, `/v1/runs/${running}`)).body;
    const gen = run.stages.find((s: { name: string }) => s.name === 'generate');
    return gen && gen.done >= 0 && run.lastSeq >= 8;
  }, 20000, 'generation under way');
  assert.is((await api(url, `/v1/runs/${queued}`)).body.state, 'QUEUED');
  const workers = pidsMentioning(running);
  assert.ok(workers.length >= 1);
  first.child.kill('SIGKILL');
  await new Promise((r) => first.child.on('exit', r));
  await waitFor(() => workers.every((p) => !alive(p)), 5000, 'the orphaned worker to die with its server');
  return { running, queued };
}

test('restart after a crash: the running run is re-queued and resumed, the queued one runs', async () => {
  const runsDir = tempDir('crucible-restart-');
  const { running, queued } = await crashWithRunningAndQueued(runsDir);
  const second = spawnServer(args(runsDir), { CRUCIBLE_TOKEN: TOKEN });
  const url = await second.url;
  try {
    for (const id of [running, queued]) {
      const stream = await readEvents(url, id);
      assert.equal(stream.ended?.state, 'SUCCEEDED', id);
      const seqs = stream.events.map((e) => e.seq);
      assert.equal(seqs, seqs.map((_, i) => i + 1), 'one contiguous log across the restart');
    }
    const events = (await readEvents(url, running)).events;
    assert.is(events.filter((e) => e.type === 'state' && e.state === 'RUNNING').length, 2, 'started twice');
    assert.ok(events.some((e) => e.type === 'stage' && e.stage === 'dataset' && e.reused === 'run'), 'finished stages were not redone');
  } finally {
    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.on('exit', r));
  }
});

test('restart with --on-restart leave: the interrupted run is FAILED and resumable; the queued one runs', async () => {
  const runsDir = tempDir('crucible-restart-');
  const { running, queued } = await crashWithRunningAndQueued(runsDir);
  const second = spawnServer(args(runsDir, ['--on-restart', 'leave']), { CRUCIBLE_TOKEN: TOKEN });
  const url = await second.url;
  try {
    const left = (await api(url, `/v1/runs/${running}`)).body;
    assert.is(left.state, 'FAILED');
    assert.is(left.interrupted, true);
    assert.is(left.error.code, 'CRUCIBLE_E_RUN_STATE');
    assert.equal((await readEvents(url, queued)).ended?.state, 'SUCCEEDED');
    assert.is((await api(url, `/v1/runs/${running}/resume`, { method: 'POST' })).status, 202);
    assert.equal((await readEvents(url, running, { query: '?after=1000000' })).ended?.state, 'SUCCEEDED');
  } finally {
    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.on('exit', r));
  }
});

test.run();
