// Bearer-token auth on every route but /health. Clients that cannot set headers (verl posts to a bare
// SandboxFusion URL) may put the token in the path instead: /t/<token>/run_code. Constant-time comparison.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../server/http-errors.js';

const digest = (s: string) => createHash('sha256').update(s).digest();
const PATH_TOKEN = /^\/t\/([^/?#]+)(\/[^?#]*)/;

/** Rewrites /t/<token>/<route> to /<route> before routing, remembering the token for the auth check. */
export function pathToken(url: string): { url: string; token?: string } {
  const m = PATH_TOKEN.exec(url);
  return m ? { url: url.slice(m[0].length - m[2].length), token: decodeURIComponent(m[1]) } : { url };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function installSandboxAuth(app: FastifyInstance<any, any, any, any, any>, token: string, tokens: WeakMap<object, string>): void {
  const expected = digest(token);
  app.addHook('onRequest', async (request, reply) => {
    if (request.url.split('?')[0] === '/health') return;
    const header = request.headers.authorization;
    const bearer = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
    const given = bearer ?? tokens.get(request.raw);
    if (!given || !timingSafeEqual(digest(given), expected)) {
      reply.header('www-authenticate', 'Bearer realm="crucible-sandbox"');
      throw new HttpError(401, 'CRUCIBLE_E_UNAUTHORIZED', given ? 'invalid token' : 'missing bearer token', [
        { message: 'send Authorization: Bearer <token>, or put the token in the path: /t/<token>/run_code', hint: 'the token is CRUCIBLE_TOKEN, or the one the server printed at start' },
      ]);
    }
  });
}
