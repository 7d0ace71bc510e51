// Token auth on every route but health, the dashboard's static shell and its login (and /docs when made
// public); constant-time comparison. API clients send `Authorization: Bearer`; the dashboard logs in once and
// the browser keeps the token in an HttpOnly, SameSite=Strict cookie (never in a URL). A cookie alone does not
// authorize a state change: those also need the `x-crucible-ui` header, which another site's form cannot send.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { HttpError } from './http-errors.js';

export const TOKEN_COOKIE = 'crucible_token';

// Comparing fixed-size digests keeps the comparison constant-time even when the lengths differ.
const digest = (s: string) => createHash('sha256').update(s).digest();

export function tokenMatches(candidate: string, token: string): boolean {
  return timingSafeEqual(digest(candidate), digest(token));
}

function cookieToken(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name !== TOKEN_COOKIE) continue;
    try {
      return decodeURIComponent(rest.join('='));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const isUiShell = (path: string) => path === '/' || path === '/ui' || path.startsWith('/ui/');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function installAuth(app: FastifyInstance<any, any, any, any, any>, token: string, options: { publicDocs: boolean }): void {
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0];
    if (path === '/v1/health' || isUiShell(path)) return;
    if (options.publicDocs && (path === '/docs' || path.startsWith('/docs/'))) return;
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    const cookie = match ? undefined : cookieToken(request.headers.cookie);
    const given = match?.[1] ?? cookie;
    if (given === undefined || !tokenMatches(given, token)) {
      reply.header('www-authenticate', 'Bearer realm="crucible"');
      throw new HttpError(401, 'CRUCIBLE_E_UNAUTHORIZED', given !== undefined ? 'invalid token' : 'missing bearer token', [
        { message: 'send Authorization: Bearer <token> (or log in to the dashboard at /ui/)', hint: 'the token is CRUCIBLE_TOKEN, or the one the server printed at start' },
      ]);
    }
    if (cookie !== undefined && !SAFE.has(request.method) && request.headers['x-crucible-ui'] !== '1') {
      throw new HttpError(401, 'CRUCIBLE_E_UNAUTHORIZED', 'a state change authorized by the dashboard cookie needs the x-crucible-ui: 1 header', [
        { message: 'API clients send Authorization: Bearer <token> instead' },
      ]);
    }
  });
}
