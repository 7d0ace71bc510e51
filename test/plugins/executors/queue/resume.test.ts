// A real `crucible run` on the queue, SIGKILLed during its execute stage, then `crucible resume`: the batches
// the workers finished meanwhile are taken from Redis (no batch runs twice), and the executions equal those
// of the same manifest run with the local executor.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../../../core/util/package-root.js';
import { pythonLayoutKey } from '../../../../plugins/executors/python/layout-key.js';
import { DATA, mistralSamples, startRedis, startWorker, verdict } from './helpers.js';

const ROOT = packageRoot();

function manifest(executor: unknown) {
  return {
    name: 'queue-resume',
    seed: 42,
    dataset: { plugin: 'humaneval', config: { path: join(DATA, 'HumanEval.jsonl.gz') }, limit: 60 },
    stages: {
      generator: { plugin: 'replay', config: { path: join(DATA, 'samples', 'humaneval_mistral-7b-instruct-v0.1_n10_t0.2.results.jsonl'), postprocess: ['mistral-cleanup'] } },
      executor,
    },
  };
}

function cli(args: string[], onStderr?: (text: string) => void): { done: Promise<number | null>; kill(): void } {
  const child = spawn(process.execPath, [...process.execArgv, join(ROOT, 'core', 'cli', 'main.ts'), ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    onStderr?.(err);
  });
  return {
    done: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    kill: () => child.kill('SIGKILL'),
  };
}

const executionsOf = (runsDir: string, id: string) =>
  readFileSync(join(runsDir, id, 'stages', 'execute', 'executions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { problemId: string; value: Parameters<typeof verdict>[0][] });

test('a run killed during execution resumes from the batches finished in Redis; no batch runs twice; executions equal local', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crucible-queue-resume-'));
  const redis = await startRedis();
  const args = ['--queue', 'resume', '--concurrency', '1', '--log-batches'];
  const workers = await Promise.all([startWorker(redis.url, ['--id', 'a', ...args]), startWorker(redis.url, ['--id', 'b', ...args])]);
  try {
    const queued = join(dir, 'queue.json');
    const local = join(dir, 'local.json');
    writeFileSync(queued, JSON.stringify(manifest({ plugin: 'queue', config: { redis: redis.url, queue: 'resume', batchSize: 5 } })));
    writeFileSync(local, JSON.stringify(manifest({ plugin: 'python' })));

    // Kill the run once some batches are recorded.
    const runs = join(dir, 'runs');
    let runId = '';
    const run = cli(['run', queued, '--runs-dir', runs], (text) => (runId ||= /run (\S+)/.exec(text)?.[1] ?? ''));
    const batchFile = () => join(runs, runId, 'stages', 'execute', 'queue-batches.jsonl');
    for (let i = 0; i < 2400; i++) {
      if (runId && existsSync(batchFile()) && readFileSync(batchFile(), 'utf8').split('\n').length > 6) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    run.kill();
    await run.done;
    assert.not.ok(existsSync(join(runs, runId, 'stages', 'execute', 'executions.jsonl')), 'killed before the stage finished');

    const resumed = cli(['resume', runId, '--runs-dir', runs]);
    assert.is(await resumed.done, 0);
    const reference = cli(['run', local, '--runs-dir', join(dir, 'local-runs')]);
    assert.is(await reference.done, 0);
    const localId = readdirSync(join(dir, 'local-runs')).find((n) => !n.startsWith('.') && !n.endsWith('.db') && !n.includes('.db-'))!;

    const got = executionsOf(runs, runId);
    const want = executionsOf(join(dir, 'local-runs'), localId);
    assert.is(got.length, want.length);
    assert.equal(got.map((r) => [r.problemId, r.value.map(verdict)]), want.map((r) => [r.problemId, r.value.map(verdict)]));
    // Each batch ran once across the killed run and its resumption.
    const done = workers.flatMap((w) => [...w.output().matchAll(/done (\S+)/g)].map((m) => m[1]));
    assert.is(new Set(done).size, done.length, 'a batch ran twice');
    // Identical samples of a problem (by the python executor's layout key) travel once, in batches of at most 5.
    const executed = new Set(got.map((r) => r.problemId));
    const samples = [...(await mistralSamples(60))].filter(([p]) => executed.has(p.id));
    const batches = samples.reduce((n, [, c]) => n + Math.ceil(new Set(c.map((x) => pythonLayoutKey(x.code))).size / 5), 0);
    assert.is(done.length, batches);
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
