// The dashboard: a static page and script served at /ui/ (no data in them: every number comes from the
// authenticated API), and the login that puts the token into an HttpOnly cookie.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../util/package-root.js';
import { TOKEN_COOKIE, tokenMatches } from '../auth.js';
import type { App, ServerContext } from '../context.js';
import { HttpError } from '../http-errors.js';
import { errorResponses } from '../schemas.js';

const ASSETS: Record<string, string> = { 'app.js': 'text/javascript; charset=utf-8', 'app.css': 'text/css; charset=utf-8', 'index.html': 'text/html; charset=utf-8' };
// Frames show the run's report.html and comparison pages, served by the API from this origin.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export function uiRoutes(app: App, ctx: ServerContext): void {
  const dir = join(packageRoot(), 'core', 'server', 'ui', 'assets');
  const cache = new Map<string, Buffer>();
  const asset = (name: string) => {
    let body = cache.get(name);
    if (!body) cache.set(name, (body = readFileSync(join(dir, name))));
    return body;
  };
  const hide = { hide: true } as const;

  app.get('/', { schema: hide }, async (_request, reply) => reply.redirect('/ui/'));
  app.get('/ui', { schema: hide }, async (_request, reply) => reply.redirect('/ui/'));
  app.get('/ui/', { schema: hide }, async (_request, reply) => reply.header('content-type', ASSETS['index.html']).header('content-security-policy', CSP).send(asset('index.html')));
  app.get('/ui/:file', { schema: { ...hide, params: { type: 'object', required: ['file'], properties: { file: { type: 'string' } } } } }, async (request, reply) => {
    const type = ASSETS[request.params.file];
    if (!type || request.params.file === 'index.html') throw new HttpError(404, 'CRUCIBLE_E_NOT_FOUND', `no dashboard file "${request.params.file}"`);
    return reply.header('content-type', type).header('x-content-type-options', 'nosniff').send(asset(request.params.file));
  });

  app.post('/ui/login', {
    schema: {
      operationId: 'dashboardLogin', tags: ['meta'], summary: 'dashboard login: checks the token and keeps it in an HttpOnly, SameSite=Strict cookie',
      body: { type: 'object', required: ['token'], additionalProperties: false, properties: { token: { type: 'string', minLength: 1, maxLength: 1000 } } },
      response: { 204: { type: 'null', description: 'logged in' }, ...errorResponses },
    },
  }, async (request, reply) => {
    if (!tokenMatches(request.body.token, ctx.options.token)) throw new HttpError(401, 'CRUCIBLE_E_UNAUTHORIZED', 'invalid token', [{ message: 'the token is CRUCIBLE_TOKEN, or the one the server printed at start' }]);
    return reply.header('set-cookie', `${TOKEN_COOKIE}=${encodeURIComponent(request.body.token)}; HttpOnly; SameSite=Strict; Path=/`).status(204).send(null);
  });

  app.post('/ui/logout', { schema: { operationId: 'dashboardLogout', tags: ['meta'], summary: 'dashboard logout: clears the cookie', response: { 204: { type: 'null', description: 'logged out' } } } }, async (_request, reply) =>
    reply.header('set-cookie', `${TOKEN_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`).status(204).send(null));
}
