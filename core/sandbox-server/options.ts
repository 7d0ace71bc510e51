// Settings of `crucible sandbox-server`, and the start-up rules it shares with `crucible serve`: loopback by
// default, a non-loopback bind only with CRUCIBLE_TOKEN, a token of at least 16 characters (generated when absent).
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { CrucibleError } from '../kernel/errors.js';
import { isLoopback } from '../server/options.js';

export interface SandboxServerOptions {
  host: string;
  port: number;
  token?: string;
  /** Installed executor packages and local plugin folders requests may name (besides the built-ins). */
  allowPackages: string[];
  allowPluginDirs: string[];
  /** Let requests turn the sandbox off (an isolation-weakening value). */
  allowUnsandboxed: boolean;
  /** The executor config a request gets for Python when it names none (the operator's choice). */
  pythonConfig: Record<string, unknown>;
  bodyLimit: number;
  /** Requests per minute per client address; 0 = off. */
  rateLimit: number;
  /** Candidates in one native request. */
  maxCandidates: number;
  logLevel: string;
}

export const SANDBOX_DEFAULTS: SandboxServerOptions = {
  host: '127.0.0.1',
  port: 8710,
  allowPackages: [],
  allowPluginDirs: [],
  allowUnsandboxed: false,
  pythonConfig: {},
  bodyLimit: 8 * 1024 * 1024,
  rateLimit: 6000,
  maxCandidates: 2000,
  logLevel: process.env.CRUCIBLE_LOG_LEVEL ?? 'warn',
};

export function finalizeSandboxOptions(partial: Partial<SandboxServerOptions>, env: NodeJS.ProcessEnv = process.env): SandboxServerOptions & { token: string; tokenGenerated: boolean } {
  const o: SandboxServerOptions = { ...SANDBOX_DEFAULTS, ...Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) };
  const token = o.token ?? (env.CRUCIBLE_TOKEN?.trim() || undefined);
  if (!isLoopback(o.host) && !token) {
    throw CrucibleError.at('CRUCIBLE_E_INPUT', { path: '--host', message: `refusing to bind ${o.host} (not loopback) without CRUCIBLE_TOKEN`, hint: 'set CRUCIBLE_TOKEN to a long random secret, or bind 127.0.0.1' });
  }
  if (token !== undefined && token.length < 16) throw CrucibleError.at('CRUCIBLE_E_INPUT', { path: 'CRUCIBLE_TOKEN', message: 'the token must be at least 16 characters' });
  if (token !== undefined && !/^[A-Za-z0-9._~-]+$/.test(token)) {
    // It may travel in a URL path (clients that cannot send headers), so it must need no escaping.
    throw CrucibleError.at('CRUCIBLE_E_INPUT', { path: 'CRUCIBLE_TOKEN', message: 'the token may hold only letters, digits and . _ ~ -' });
  }
  return { ...o, allowPluginDirs: o.allowPluginDirs.map((d) => resolve(d)), token: token ?? randomBytes(24).toString('base64url'), tokenGenerated: !token };
}
