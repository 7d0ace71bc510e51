// Shared by the server tests: live servers on 127.0.0.1 port 0 (in-process or as a child process), an
// authenticated fetch, SSE collection, polling.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, type StartedServer } from '../../core/server/start.js';
import type { ServerOptions } from '../../core/server/options.js';
import { parseSse, type RunEvent } from '../../examples/http-client/client.js';
import { tempDir } from '../helpers/kernel.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const TOKEN = 'test-token-0123456789abcdef';
export const MANIFESTS = join(ROOT, 'test', 'fixtures', 'server', 'manifests');
export const PLUGIN_DIRS = [join(ROOT, 'test', 'fixtures', 'plugins'), join(ROOT, 'test', 'fixtures', 'server', 'plugins')];

export const readManifest = (name: string) => JSON.parse(readFileSync(join(MANIFESTS, name), 'utf8')) as Record<string, unknown>;

export function serve(overrides: Partial<ServerOptions> = {}): Promise<StartedServer> {
  return startServer({
    port: 0,
    runsDir: tempDir('crucible-srv-'),
    manifestsDir: MANIFESTS,
    allowPluginDirs: PLUGIN_DIRS,
    token: TOKEN,
    logLevel: 'silent',
    keepAliveMs: 200,
    cancelGraceMs: 1500,
    ...overrides,
  });
}

/** `crucible serve` as a child process (for crash/restart and start-up refusal tests). */
export function spawnServer(args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; url: Promise<string>; output: () => string } {
  const child = spawn(process.execPath, [...process.execArgv, join(ROOT, 'core', 'server', 'bin.ts'), '--port', '0', ...args], {
    cwd: ROOT,
    env: { ...process.env, CRUCIBLE_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
  return { child, url, output: () => out };
}

export async function api(base: string, path: string, init: RequestInit & { token?: string | null } = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = { ...(init.headers as Record<string, string>) };
  const token = init.token === undefined ? TOKEN : init.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  const res = await fetch(new URL(path, base), { ...init, headers });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body, headers: res.headers };
}

export async function waitFor<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Reads an event stream: the events, whether `event: end` came, and how many keep-alive comments. */
export async function readEvents(base: string, id: string, options: { query?: string; lastEventId?: number; max?: number } = {}) {
  const controller = new AbortController();
  const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` };
  if (options.lastEventId !== undefined) headers['last-event-id'] = String(options.lastEventId);
  const res = await fetch(new URL(`/v1/runs/${id}/events${options.query ?? ''}`, base), { headers, signal: controller.signal });
  const events: RunEvent[] = [];
  let ended: { state: string } | undefined;
  try {
    for await (const m of parseSse(res.body!)) {
      if (m.event === 'end') {
        ended = JSON.parse(m.data);
        break;
      }
      const e = JSON.parse(m.data) as RunEvent;
      if (String(e.seq) !== m.id) throw new Error(`SSE id ${m.id} != seq ${e.seq}`);
      events.push(e);
      if (options.max && events.length >= options.max) break;
    }
  } finally {
    controller.abort();
  }
  return { status: res.status, contentType: res.headers.get('content-type'), events, ended };
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie still answers kill(0); it holds no resources and is reaped by its parent.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

/** pids of processes whose command line mentions `needle` (e.g. a run id passed to its worker). */
export function pidsMentioning(needle: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle) && alive(Number(entry))) out.push(Number(entry));
    } catch {
      // gone
    }
  }
  return out;
}
