// One policy for every host resource a manifest names (core/kernel/manifest/host-resources.ts: how plugins mark
// them). The CLI runs for a local user and allows everything; the HTTP server and the sandbox server run for
// token holders, who are not the operator: files only under declared roots, nothing written outside the run's
// folder, no executables, URLs only to allowed hosts, environment variables only those passed on, isolation
// kept unless the operator said otherwise. The hosts hand `enforceHostPolicy(policy)` to the kernel, which calls it on
// the manifest and on every plugin config (nested ones included) at validation time.
import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, normalize, resolve, sep } from 'node:path';
import type { ErrorCode, ErrorDetail } from '../kernel/errors.js';
import type { HostResourceUse } from '../kernel/manifest/host-resources.js';
import type { HostResourceCheck } from '../kernel/manifest/validate.js';

export interface HostPolicy {
  /** Folders whose files may be read; undefined = any (a local user). */
  readRoots?: readonly string[];
  /** Whether config may name folders to write outside the run (write-path fields). */
  allowWrites: boolean;
  /** Whether config may name programs to start. */
  allowExecutables: boolean;
  /** Whether values that weaken isolation (sandbox "off"/"auto") are accepted. */
  allowWeakenedIsolation: boolean;
  /** Hosts ("loopback", "host", "host:port") or URL prefixes requests may go to; undefined = any. */
  allowedUrls?: readonly string[];
  /** Environment variables config may name; undefined = any. */
  allowedEnv?: readonly string[];
}

/** The CLI's policy: the person running it owns the machine. */
export const LOCAL_POLICY: HostPolicy = { allowWrites: true, allowExecutables: true, allowWeakenedIsolation: true };

/** The code of every refusal: carried in each detail's message, as the manifest validator reports inner codes. */
export const POLICY_CODE: ErrorCode = 'CRUCIBLE_E_HOST_POLICY';

/** The kernel's hook for `policy` (PluginPolicy.host): strict forms replace what they can, the rest is refused. */
export function enforceHostPolicy(policy: HostPolicy): HostResourceCheck {
  return (uses, baseDir) => {
    hardenIsolation(uses, policy);
    return checkUses(uses, policy, baseDir);
  };
}

/** A weakening value the policy replaced by its strict form (e.g. sandbox "auto" -> "required"). */
export interface HardenedValue {
  path: string;
  from: unknown;
  to: unknown;
}

/**
 * When the policy keeps isolation, replaces each weakening value whose schema names a strict form (`hardenTo`) by
 * that form, in the config itself, so the run uses and records the strict value; other weakening values are
 * left for `checkUses` to refuse. "auto" means "isolate when you can": a server can, or must refuse to run.
 */
export function hardenIsolation(uses: readonly HostResourceUse[], policy: HostPolicy): HardenedValue[] {
  if (policy.allowWeakenedIsolation) return [];
  const out: HardenedValue[] = [];
  for (const use of uses) {
    if (!use.weakens?.includes(use.value) || !use.set || !use.hardenTo) continue;
    const key = String(use.value);
    if (!Object.prototype.hasOwnProperty.call(use.hardenTo, key)) continue;
    const to = use.hardenTo[key];
    use.set(to);
    out.push({ path: use.path, from: use.value, to });
    use.value = to;
  }
  return out;
}

/** The same check over uses already found (the manifest validator also needs them for nested plugins). */
export function checkUses(uses: readonly HostResourceUse[], policy: HostPolicy, baseDir: string): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  const refuse = (use: HostResourceUse, rule: string, message: string, hint: string) =>
    out.push({ path: use.path, message: `${POLICY_CODE}: ${message} (rule: ${rule})`, hint });
  for (const use of uses) {
    if (use.weakens?.some((v) => v === use.value) && !policy.allowWeakenedIsolation) {
      refuse(use, 'weakens-isolation', `${JSON.stringify(use.value)} weakens isolation and this server does not allow it`, 'use the strict setting (e.g. sandbox "required"); the operator can allow it with --allow-unsandboxed');
    }
    if (!use.kind || use.kind === 'plugin' || typeof use.value !== 'string') continue;
    if (use.except?.includes(use.value)) continue;
    const value = use.value;
    switch (use.kind) {
      case 'read-path':
        if (policy.readRoots && !readable(value, baseDir, policy.readRoots)) {
          refuse(use, 'read-path', 'this path is outside the folders this server lets manifests read', 'use a file under the manifests folder, the runs folder or a --data-dir folder');
        }
        break;
      case 'write-path':
        if (!policy.allowWrites) refuse(use, 'write-path', 'this server writes only inside the run\'s folder', 'leave this option at its default');
        break;
      case 'output-path':
        if (!policy.allowWrites && (isAbsolute(value) || escapes(value))) {
          refuse(use, 'output-path', 'this server writes only inside the run\'s folder', 'use a relative name inside the stage folder');
        }
        break;
      case 'executable':
        if (!policy.allowExecutables) refuse(use, 'executable', 'this server does not start programs a manifest names', 'leave this option at its default');
        break;
      case 'url':
        if (policy.allowedUrls && !urlAllowed(value, policy.allowedUrls)) {
          refuse(use, 'url', 'this server does not send requests to that host', 'use a host the operator allowed with --allow-url (default: loopback only)');
        }
        break;
      case 'env-var':
        if (policy.allowedEnv && !policy.allowedEnv.includes(value)) {
          refuse(use, 'env-var', 'this server does not pass that environment variable to runs', 'the operator can pass it with --pass-env');
        }
        break;
    }
  }
  return out;
}

function escapes(relativePath: string): boolean {
  const n = normalize(relativePath);
  return n === '..' || n.startsWith(`..${sep}`);
}

function inside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * Lexically inside a root, and (when it exists) still inside one after symlinks. A path outside every root is
 * refused without touching the file system, so the answer says nothing about whether it exists.
 */
function readable(value: string, baseDir: string, roots: readonly string[]): boolean {
  if (value.includes('\0')) return false;
  const abs = resolve(baseDir, value);
  if (!roots.some((r) => inside(resolve(r), abs))) return false;
  if (!existsSync(abs)) return true;
  const real = realpathSync(abs);
  return roots.some((r) => existsSync(r) && inside(realpathSync(r), real));
}

const LOOPBACK = (host: string) => host === 'localhost' || host === '[::1]' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);

/** "loopback", "host", "host:port" or a URL prefix ("https://api.example.com/v1"). */
export function urlAllowed(value: string, allowed: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (url.username || url.password) return false;
  return allowed.some((entry) => {
    if (entry === 'loopback') return LOOPBACK(url.hostname);
    if (entry.includes('://')) {
      let prefix: URL;
      try {
        prefix = new URL(entry);
      } catch {
        return false;
      }
      const path = prefix.pathname.endsWith('/') ? prefix.pathname : `${prefix.pathname}/`;
      return url.origin === prefix.origin && (`${url.pathname}/`.startsWith(path) || prefix.pathname === '/');
    }
    const [host, port] = entry.split(/:(?=\d+$)/);
    return url.hostname === host.toLowerCase() && (port === undefined || url.port === port || (url.port === '' && port === (url.protocol === 'https:' ? '443' : '80')));
  });
}
