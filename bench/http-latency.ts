// API responsiveness while a run executes: p99 latency of GET /v1/runs/:id at 200 requests/s (autocannon,
// loopback), with the server idle and while a run keeps both cores busy executing candidates (the
// test executor fixture spawns CPU-burning child processes, as a real executor's sandboxes would).
// The server runs as its own process (`crucible serve`), the load generator here.
//
//   node --import tsx bench/http-latency.ts [--rate 200] [--seconds 10]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../core/util/package-root.js';

interface Latency { p50: number; p99: number; max: number; average: number }
interface Result { latency: Latency; requests: { total: number }; non2xx: number; errors: number; timeouts: number }
type Autocannon = (opts: Record<string, unknown>) => Promise<Result>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const { values: opts } = parseArgs({ options: { rate: { type: 'string', default: '200' }, seconds: { type: 'string', default: '10' } } });
const rate = Number(opts.rate);
const seconds = Number(opts.seconds);
const root = packageRoot();
const token = 'bench-token-0123456789abcdef';
const fixtures = join(root, 'test', 'fixtures');

async function startServer(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'core', 'server', 'bin.ts'), '--port', '0', '--runs-dir', mkdtempSync(join(tmpdir(), 'crucible-bench-')),
      '--manifests-dir', join(fixtures, 'server', 'manifests'), '--allow-plugin-dir', join(fixtures, 'plugins'), '--allow-plugin-dir', join(fixtures, 'server', 'plugins'),
      // The bench is one client at 200 req/s: the per-client limit (default 3000/min) would answer 429s.
      '--rate-limit', '0'],
    { cwd: root, env: { ...process.env, CRUCIBLE_TOKEN: token, CRUCIBLE_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

const auth = { authorization: `Bearer ${token}` };
async function call(url: string, path: string, init: RequestInit = {}): Promise<any> {
  const res = await fetch(url + path, { ...init, headers: { ...auth, 'content-type': 'application/json', ...(init.headers as object) } });
  return res.json();
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(check: () => Promise<boolean>, what: string, ms = 60000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await sleep(100);
  }
}

async function measure(url: string, id: string): Promise<Result> {
  return autocannon({ url: `${url}/v1/runs/${id}`, headers: auth, connections: 10, overallRate: rate, duration: seconds });
}

const fmt = (r: Result) =>
  `p50 ${r.latency.p50.toFixed(1)} ms  p99 ${r.latency.p99.toFixed(1)} ms  max ${r.latency.max.toFixed(1)} ms  (${r.requests.total} requests, ${r.non2xx} non-2xx, ${r.errors} errors)`;

async function main(): Promise<void> {
  const server = await startServer();
  try {
    const manifest = (name: string) => JSON.parse(readFileSync(join(fixtures, 'server', 'manifests', name), 'utf8'));
    const idle = await call(server.url, '/v1/runs', { method: 'POST', body: JSON.stringify(manifest('toy.json')) });
    await until(async () => (await call(server.url, `/v1/runs/${idle.id}`)).state === 'SUCCEEDED', 'idle run');
    await measure(server.url, idle.id); // warm-up (JIT, serializer)
    const idleResult = await measure(server.url, idle.id);

    const busy = await call(server.url, '/v1/runs', { method: 'POST', body: JSON.stringify(manifest('busy.json')) });
    const stageOf = async () => (await call(server.url, `/v1/runs/${busy.id}`)).stages?.find((s: { status: string }) => s.status === 'running')?.name;
    await until(async () => (await stageOf()) === 'execute', 'busy run to reach execution');
    const load = await import('node:os').then((os) => os.loadavg()[0]);
    const busyResult = await measure(server.url, busy.id);
    const still = await stageOf();
    const cpu = await import('node:os').then((os) => os.loadavg()[0]);

    console.log(`GET /v1/runs/:id at ${rate} req/s for ${seconds} s, loopback, ${(await import('node:os')).cpus().length} cores`);
    console.log(`  idle server:            ${fmt(idleResult)}`);
    console.log(`  run executing (busy):   ${fmt(busyResult)}`);
    console.log(`  p99 ratio busy/idle:    ${(busyResult.latency.p99 / idleResult.latency.p99).toFixed(2)}x   (target: busy p99 < 50 ms: ${busyResult.latency.p99 < 50 ? 'met' : 'NOT met'})`);
    console.log(`  run stage at the end of the busy measurement: ${still ?? 'finished'} (must be execute); 1-min load ${load.toFixed(2)} -> ${cpu.toFixed(2)}`);
    await call(server.url, `/v1/runs/${busy.id}/cancel`, { method: 'POST' });
    await sleep(500);
  } finally {
    server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
