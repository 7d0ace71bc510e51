// Server settings, their defaults, and the start-up checks (token, loopback) that refuse unsafe setups.
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { CrucibleError } from '../kernel/errors.js';

export interface ServerOptions {
  host: string;
  port: number;
  runsDir: string;
  maxConcurrent: number;
  /** Folder `extends` and relative plugin paths of posted manifests resolve against. */
  manifestsDir: string;
  allowPackages: string[];
  allowPluginDirs: string[];
  /** Folders (besides the manifests and runs folders) whose files submitted manifests may name as data to read. */
  dataDirs: string[];
  /** Hosts or URL prefixes submitted manifests may send requests to; "loopback" = 127.0.0.0/8, ::1, localhost. */
  allowUrls: string[];
  /** Lets submitted manifests weaken isolation (e.g. the python executor's sandbox "off"/"auto"). */
  allowUnsandboxed: boolean;
  /** Environment variables (beyond a fixed harmless set) the run workers inherit; never CRUCIBLE_TOKEN. */
  passEnv: string[];
  /** What a start does with runs a crash left RUNNING: put them back in the queue, or leave them FAILED (resumable). */
  onRestart: 'resume' | 'leave';
  /** Bearer token; when absent one is generated and printed once. */
  token?: string;
  bodyLimit: number;
  /** Requests per minute per client address; 0 turns rate limiting off. */
  rateLimit: number;
  keepAliveMs: number;
  /** How long a cancelled run's worker gets to stop before its process group is killed. */
  cancelGraceMs: number;
  /** Serve /docs without a token (the OpenAPI document holds no secrets). */
  publicDocs: boolean;
  logLevel: string;
}

export const DEFAULTS: ServerOptions = {
  host: '127.0.0.1',
  port: 8700,
  runsDir: './runs',
  maxConcurrent: 1,
  manifestsDir: 'manifests',
  allowPackages: [],
  allowPluginDirs: [],
  dataDirs: [],
  allowUrls: ['loopback'],
  allowUnsandboxed: false,
  passEnv: [],
  onRestart: 'resume',
  bodyLimit: 1024 * 1024,
  rateLimit: 3000,
  keepAliveMs: 5000,
  cancelGraceMs: 5000,
  publicDocs: false,
  logLevel: process.env.CRUCIBLE_LOG_LEVEL ?? 'info',
};

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host === '[::1]';
}

/** Fills defaults, makes folders absolute, and refuses a public bind without an explicit token. */
export function finalizeOptions(partial: Partial<ServerOptions>, env: NodeJS.ProcessEnv = process.env): ServerOptions & { token: string; tokenGenerated: boolean } {
  const o: ServerOptions = { ...DEFAULTS, ...Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) };
  const envToken = env.CRUCIBLE_TOKEN?.trim();
  const token = o.token ?? (envToken || undefined);
  if (!isLoopback(o.host) && !token) {
    throw CrucibleError.at('CRUCIBLE_E_INPUT', {
      path: '--host',
      message: `refusing to bind ${o.host} (not loopback) without CRUCIBLE_TOKEN`,
      hint: 'set CRUCIBLE_TOKEN to a long random secret, or bind 127.0.0.1',
    });
  }
  if (token !== undefined && token.length < 16) {
    throw CrucibleError.at('CRUCIBLE_E_INPUT', { path: 'CRUCIBLE_TOKEN', message: 'the token must be at least 16 characters' });
  }
  if (!Number.isInteger(o.maxConcurrent) || o.maxConcurrent < 1) throw CrucibleError.at('CRUCIBLE_E_INPUT', { path: '--max-concurrent', message: 'must be an integer >= 1' });
  for (const name of o.passEnv) {
    if (name === 'CRUCIBLE_TOKEN') throw CrucibleError.at('CRUCIBLE_E_INPUT', { path: '--pass-env', message: 'CRUCIBLE_TOKEN is never passed to run workers' });
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw CrucibleError.at('CRUCIBLE_E_INPUT', { path: '--pass-env', message: `"${name}" is not an environment variable name` });
  }
  if (o.onRestart !== 'resume' && o.onRestart !== 'leave') throw CrucibleError.at('CRUCIBLE_E_INPUT', { path: '--on-restart', message: 'must be "resume" or "leave"' });
  return {
    ...o,
    runsDir: resolve(o.runsDir),
    manifestsDir: resolve(o.manifestsDir),
    allowPluginDirs: o.allowPluginDirs.map((d) => resolve(d)),
    dataDirs: o.dataDirs.map((d) => resolve(d)),
    allowUrls: o.allowUrls.length ? o.allowUrls : DEFAULTS.allowUrls,
    token: token ?? randomBytes(24).toString('base64url'),
    tokenGenerated: !token,
  };
}

export type FinalOptions = ReturnType<typeof finalizeOptions>;
