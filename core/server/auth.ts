// Bearer-token auth on every route but health (and /docs when made public); constant-time comparison.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { HttpError } from './http-errors.js';

// Comparing fixed-size digests keeps the comparison constant-time even when the lengths differ.
const digest = (s: string) => createHash('sha256').update(s).digest();

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function installAuth(app: FastifyInstance<any, any, any, any, any>, token: string, options: { publicDocs: boolean }): void {
  const expected = digest(token);
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0];
    if (path === '/v1/health') return;
    if (options.publicDocs && (path === '/docs' || path.startsWith('/docs/'))) return;
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match || !timingSafeEqual(digest(match[1]), expected)) {
      reply.header('www-authenticate', 'Bearer realm="crucible"');
      throw new HttpError(401, 'CRUCIBLE_E_UNAUTHORIZED', match ? 'invalid token' : 'missing bearer token', [
        { message: 'send Authorization: Bearer <token>', hint: 'the token is CRUCIBLE_TOKEN, or the one the server printed at start' },
      ]);
    }
  });
}
