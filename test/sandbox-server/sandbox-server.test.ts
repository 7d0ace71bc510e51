// `crucible sandbox-server` as a real process, called with a plain HTTP client (fetch): SandboxFusion-shaped
// run_code answers as the local executor does, the native route returns the local executor's records, and
// auth and the server's policy rules hold.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Execution } from '../../core/kernel/contract/data.js';
import { createTestContext, instantiate } from '../../core/testing/index.js';
import { packageRoot } from '../../core/util/package-root.js';
import { finalizeSandboxOptions } from '../../core/sandbox-server/options.js';
import { RUN_CODE_STDERR_BYTES, runCodeJob, runCodeResponse, type RunCodeRequest } from '../../core/sandbox-server/run-code.js';
import python, { type PythonExecutor } from '../../plugins/executors/python/index.js';
import { mistralSamples, verdict } from '../plugins/executors/queue/helpers.js';

const ROOT = packageRoot();
const TOKEN = 'sandbox-test-token-0123456789';
let child: ChildProcess;
let url = '';

test.before(async () => {
  child = spawn(process.execPath, [...process.execArgv, join(ROOT, 'core', 'cli', 'main.ts'), 'sandbox-server', '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, CRUCIBLE_TOKEN: TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  for (let i = 0; i < 800 && !url; i++) {
    url = /listening on (http:\S+)/.exec(out)?.[1] ?? '';
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.ok(url, out);
});

test.after(async () => {
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
});

const post = (path: string, body: unknown, token: string | null = TOKEN) =>
  fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });

const PROGRAMS: Array<[RunCodeRequest, Record<string, unknown>]> = [
  [{ code: 'print("hello")', language: 'python' }, { status: 'Success', stdout: 'hello\n', return_code: 0, crucible: 'SUCCESS' }],
  [{ code: 'import sys\nprint(sum(map(int, sys.stdin.read().split())))', language: 'python', stdin: '1 2 39\n' }, { status: 'Success', stdout: '42\n', return_code: 0, crucible: 'SUCCESS' }],
  [{ code: 'print("partial")\nraise ValueError("bad")', language: 'python' }, { status: 'Failed', stdout: 'partial\n', return_code: 1, crucible: 'RUNTIME_ERROR' }],
  [{ code: 'import sys\nsys.exit(3)', language: 'python' }, { status: 'Failed', stdout: '', return_code: 3, crucible: 'RUNTIME_ERROR' }],
  [{ code: 'def f(:\n    pass', language: 'python' }, { status: 'Failed', stdout: '', return_code: 1, crucible: 'SYNTAX_ERROR' }],
  [{ code: 'while True:\n    pass', language: 'python', run_timeout: 0.5 }, { status: 'Failed', run: 'TimeLimitExceeded', return_code: null, crucible: 'TIMEOUT' }],
  [{ code: 'open("out.txt", "w").write(open("in.txt").read().upper())', language: 'python', files: { 'in.txt': Buffer.from('abc').toString('base64') }, fetch_files: ['out.txt'] }, { status: 'Success', return_code: 0, file: 'ABC', crucible: 'SUCCESS' }],
];

/** What the local executor gives for the same request (the same job the server builds, run in this process). */
async function local(request: RunCodeRequest) {
  const executor = await instantiate<PythonExecutor>(python as never, { timeoutSeconds: Math.min(request.run_timeout ?? 10, 300), testTimeoutSeconds: 1, canonicalTimeFactor: 0, dedupe: false, stderrBytes: RUN_CODE_STDERR_BYTES }, createTestContext());
  try {
    const job = runCodeJob(request);
    const [execution] = await executor.execute(job.problem, [job.candidate]);
    return runCodeResponse(execution, job.marker);
  } finally {
    await executor.close?.();
  }
}

const comparable = (r: { run_result: { execution_time: number | null } | null }) => ({ ...r, run_result: r.run_result && { ...r.run_result, execution_time: 0 } });

test('run_code (SandboxFusion shape) from a plain HTTP client answers as the local executor does', async () => {
  for (const [request, want] of PROGRAMS) {
    const res = await post('/run_code', request);
    assert.is(res.status, 200);
    const got = (await res.json()) as ReturnType<typeof runCodeResponse>;
    const what = request.code.split('\n')[0];
    assert.is(got.status, want.status, what);
    assert.is(got.compile_result, null);
    assert.is(got.run_result!.status, want.run ?? 'Finished', what);
    assert.is(got.run_result!.return_code, want.return_code, what);
    if (want.stdout !== undefined) assert.is(got.run_result!.stdout, want.stdout, what);
    if (want.file) assert.is(Buffer.from(got.files['out.txt'], 'base64').toString(), want.file);
    assert.is(got.crucible.status, want.crucible, what);
    assert.type(got.run_result!.execution_time, 'number');
    assert.equal(comparable(got), comparable(await local(request)), what);
  }
  const raised = (await (await post('/run_code', PROGRAMS[2][0])).json()) as ReturnType<typeof runCodeResponse>;
  assert.match(raised.run_result!.stderr!, /ValueError: bad/);
  assert.not.match(raised.run_result!.stderr!, /__crucible/, 'the wrapper stays out of the traceback');
});

test('the native route returns the local executor\'s execution records for recorded model samples', async () => {
  const samples = await mistralSamples(6);
  const items = [...samples].map(([problem, candidates]) => ({ problem, candidates: candidates.map((c) => ({ id: c.id, code: c.code })) }));
  const res = await post('/v1/execute', { items });
  assert.is(res.status, 200);
  const body = (await res.json()) as { executor: string; results: Array<{ problemId: string; executions: Execution[] }> };
  assert.is(body.executor, 'python');
  const executor = await instantiate<PythonExecutor>(python as never, {});
  try {
    const want = await Promise.all([...samples].map(([p, c]) => executor.execute(p, c)));
    assert.equal(body.results.map((r) => r.problemId), [...samples.keys()].map((p) => p.id));
    assert.equal(body.results.map((r) => r.executions.map(verdict)), want.map((list) => list.map(verdict)));
  } finally {
    await executor.close?.();
  }
});

test('auth: bearer header or /t/<token>/ in the path; /health is open; no token or a wrong one is 401', async () => {
  assert.is((await fetch(`${url}/health`)).status, 200);
  const hello = { code: 'print(1)', language: 'python' };
  const none = await post('/run_code', hello, null);
  assert.is(none.status, 401);
  assert.is(((await none.json()) as { error: { code: string } }).error.code, 'CRUCIBLE_E_UNAUTHORIZED');
  assert.is((await post('/run_code', hello, 'wrong-token-wrong-token')).status, 401);
  assert.is((await post(`/t/wrong-token-wrong-token/run_code`, hello, null)).status, 401);
  const viaPath = await post(`/t/${TOKEN}/run_code`, hello, null);
  assert.is(viaPath.status, 200);
  assert.is(((await viaPath.json()) as { run_result: { stdout: string } }).run_result.stdout, '1\n');
});

test('policy: the executor a request names is checked as a manifest posted to crucible serve', async () => {
  const item = { problem: { id: 'p', entryPoint: 'f', tests: [{ id: 't', code: 'assert f(1) == 2' }] }, candidates: [{ id: 'c', code: 'def f(x): return x + 1' }] };
  const cases: Array<[unknown, string, string, RegExp?]> = [
    [{ plugin: './evil-executor.ts' }, 'CRUCIBLE_E_PLUGIN_NOT_ALLOWED', 'executor.plugin'],
    [{ plugin: 'some-npm-executor' }, 'CRUCIBLE_E_PLUGIN_NOT_ALLOWED', 'executor.plugin'],
    [{ plugin: 'python', config: { timeoutSecs: 1 } }, 'CRUCIBLE_E_PLUGIN_CONFIG', 'executor.config.timeoutSecs'],
    // The kernel's host policy, as crucible serve applies it (each refusal names its rule).
    [{ plugin: 'python', config: { sandbox: 'off' } }, 'CRUCIBLE_E_HOST_POLICY', 'executor.config.sandbox', /rule: weakens-isolation/],
    [{ plugin: 'python', config: { python: '/usr/bin/perl' } }, 'CRUCIBLE_E_HOST_POLICY', 'executor.config.python', /rule: executable/],
    [{ plugin: 'queue', config: { redis: 'redis://10.0.0.1:6379' } }, 'CRUCIBLE_E_HOST_POLICY', 'executor.config.redis', /rule: url/],
    [{ plugin: 'queue', config: { redisEnv: 'CRUCIBLE_TOKEN' } }, 'CRUCIBLE_E_HOST_POLICY', 'executor.config.redisEnv', /rule: env-var/],
    [{ plugin: 'queue', config: { redisEnv: 'R', executor: { plugin: 'python', config: { sandbox: 'off' } } } }, 'CRUCIBLE_E_HOST_POLICY', 'executor.config.executor.config.sandbox', /rule: weakens-isolation/],
  ];
  for (const [executor, code, path, rule] of cases) {
    const res = await post('/v1/execute', { items: [item], executor });
    assert.is(res.status, 400, JSON.stringify(executor));
    const { error } = (await res.json()) as { error: { code: string; details: Array<{ path?: string; message: string }> } };
    assert.is(error.code, code, JSON.stringify(executor));
    const detail = error.details.find((d) => d.path === path);
    assert.ok(detail, `${JSON.stringify(executor)}: ${JSON.stringify(error.details)}`);
    if (rule) assert.match(detail.message, rule);
  }
  // A request that names no sandbox (the default "auto") runs, and is answered with, "required".
  const ok = await post('/v1/execute', { items: [item], executor: { plugin: 'python', config: { timeoutSeconds: 2 } } });
  assert.is(ok.status, 200);
  const answer = (await ok.json()) as { executorConfig: { sandbox: string }; results: Array<{ executions: Execution[] }> };
  assert.is(answer.results[0].executions[0].status, 'SUCCESS');
  assert.is(answer.executorConfig.sandbox, 'required');
  assert.is((await post('/run_code', { code: 'print(1)', language: 'cpp' })).status, 400);
  assert.is((await post('/run_code', { code: 'print(1)', language: 'python', files: { '../escape': 'eA==' } })).status, 400);
});

/** Starts a sandbox server with `args` whose PATH has python3 but no bwrap; resolves with its URL or its exit output. */
async function withoutBwrap(args: string[]): Promise<{ url?: string; output: string; stop(): Promise<void> }> {
  const bin = mkdtempSync(join(tmpdir(), 'crucible-nobwrap-'));
  symlinkSync(realpathSync('/usr/bin/python3'), join(bin, 'python3'));
  const proc = spawn(process.execPath, [...process.execArgv, join(ROOT, 'core', 'cli', 'main.ts'), 'sandbox-server', '--port', '0', ...args], {
    cwd: ROOT,
    env: { ...process.env, PATH: bin, CRUCIBLE_TOKEN: TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  let found: string | undefined;
  for (let i = 0; i < 2400 && !found && proc.exitCode === null; i++) {
    found = /listening on (http:\S+)/.exec(output)?.[1];
    await new Promise((r) => setTimeout(r, 25));
  }
  const stop = async () => {
    if (proc.exitCode === null) proc.kill('SIGTERM');
    await exited;
    rmSync(bin, { recursive: true, force: true });
  };
  if (!found) await stop();
  return { url: found, output, stop };
}

test('sandbox "auto" over HTTP means "required": without bubblewrap the server refuses to start; --allow-unsandboxed lets auto run unsandboxed', async () => {
  const refused = await withoutBwrap([]);
  assert.is(refused.url, undefined, refused.output);
  assert.match(refused.output, /CRUCIBLE_E_SANDBOX/);
  assert.match(refused.output, /bubblewrap/);
  const allowed = await withoutBwrap(['--allow-unsandboxed']);
  try {
    assert.ok(allowed.url, allowed.output);
    const res = await fetch(`${allowed.url}/run_code`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify({ code: 'print(6 * 7)', language: 'python' }) });
    const body = (await res.json()) as { status: string; run_result: { stdout: string } };
    assert.is(body.status, 'Success', JSON.stringify(body));
    assert.is(body.run_result.stdout, '42\n');
  } finally {
    await allowed.stop();
  }
});

test('a non-loopback bind needs CRUCIBLE_TOKEN, as crucible serve does', () => {
  assert.throws(() => finalizeSandboxOptions({ host: '0.0.0.0' }, {}), /without CRUCIBLE_TOKEN/);
  assert.throws(() => finalizeSandboxOptions({ host: '0.0.0.0' }, { CRUCIBLE_TOKEN: 'short' }), /at least 16/);
  assert.is(finalizeSandboxOptions({ host: '0.0.0.0' }, { CRUCIBLE_TOKEN: TOKEN }).token, TOKEN);
  assert.ok(finalizeSandboxOptions({}, {}).tokenGenerated);
});

test.run();
