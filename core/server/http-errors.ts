// HTTP error bodies: `{ error: { code, message, details } }`, never a stack or internal text.
// Kernel CrucibleErrors map to a status by code; transport failures (auth, size, rate) get server-side codes.
import type { FastifyError, FastifyInstance } from 'fastify';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFastify = FastifyInstance<any, any, any, any, any>;
import { isCrucibleError, type ErrorDetail } from '../kernel/errors.js';
import { closest, type RouteSuggester } from './suggest.js';

/** An enum mismatch (a misspelled state, say) names the closest allowed value. */
function withSuggestion(detail: ErrorDetail, v: { keyword?: string; params?: Record<string, unknown>; instancePath: string }, request: { query?: unknown; body?: unknown; params?: unknown }): ErrorDetail {
  if (v.keyword !== 'enum' || !Array.isArray(v.params?.allowedValues)) return detail;
  const allowed = (v.params.allowedValues as unknown[]).filter((a): a is string => typeof a === 'string');
  const [context, ...keys] = (detail.path ?? '').split('.');
  let given: unknown = (request as Record<string, unknown>)[context === 'querystring' ? 'query' : context];
  for (const k of keys) given = (given as Record<string, unknown> | undefined)?.[k];
  const hit = typeof given === 'string' ? closest(given, allowed) : undefined;
  return { ...detail, message: `${detail.message}: ${allowed.join(', ')}`, ...(hit ? { hint: `did you mean "${hit}"?` } : {}) };
}

/** Codes the HTTP layer adds on top of the kernel's ErrorCode union. */
export type HttpErrorCode =
  | 'CRUCIBLE_E_UNAUTHORIZED'
  | 'CRUCIBLE_E_NOT_FOUND'
  | 'CRUCIBLE_E_BODY_TOO_LARGE'
  | 'CRUCIBLE_E_RATE_LIMIT'
  | 'CRUCIBLE_E_INPUT'
  | 'CRUCIBLE_E_INTERNAL';

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: HttpErrorCode | string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
  }
}

const STATUS_BY_CODE: Record<string, number> = {
  CRUCIBLE_E_MANIFEST: 400,
  CRUCIBLE_E_PLUGIN_NOT_FOUND: 400,
  CRUCIBLE_E_PLUGIN_KIND: 400,
  CRUCIBLE_E_PLUGIN_VERSION: 400,
  CRUCIBLE_E_PLUGIN_CONFIG: 400,
  CRUCIBLE_E_PLUGIN_INVALID: 400,
  CRUCIBLE_E_PLUGIN_CREATE: 400,
  CRUCIBLE_E_PLUGIN_NOT_ALLOWED: 400,
  CRUCIBLE_E_HOST_POLICY: 400,
  CRUCIBLE_E_INPUT: 400,
  CRUCIBLE_E_DATASET: 400,
  CRUCIBLE_E_COMPARE: 400,
  CRUCIBLE_E_RUN_NOT_FOUND: 404,
  CRUCIBLE_E_RUN_STATE: 409,
  CRUCIBLE_E_STORAGE: 507,
};

export interface ErrorBody {
  error: { code: string; message: string; details: ErrorDetail[] };
}

/** Removes server paths from user-facing text: files under known roots become relative, others vanish. */
export function makeScrubber(roots: Array<{ dir: string; label: string }>) {
  const text = (s: string): string => roots.reduce((acc, r) => acc.split(r.dir + '/').join(r.label).split(r.dir).join(r.label.replace(/\/$/, '') || '.'), s);
  return (body: ErrorBody['error']): ErrorBody['error'] => ({
    code: body.code,
    message: text(body.message),
    details: body.details.map((d) => {
      const out: ErrorDetail = { message: text(d.message) };
      if (d.path !== undefined) out.path = d.path;
      if (d.hint !== undefined) out.hint = text(d.hint);
      if (d.line !== undefined) out.line = d.line;
      if (d.file !== undefined) {
        const f = text(d.file);
        if (!f.startsWith('/')) out.file = f;
      }
      return out;
    }),
  });
}

/** Installs the error and not-found handlers; details of unexpected errors go to the server log only. */
export function installErrorHandlers(app: AnyFastify, scrub: (e: ErrorBody['error']) => ErrorBody['error'], routes?: RouteSuggester): void {
  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    const send = (status: number, code: string, message: string, details: ErrorDetail[] = []) =>
      reply.status(status).send({ error: scrub({ code, message, details }) } satisfies ErrorBody);
    if (error instanceof HttpError) return send(error.statusCode, error.code, error.message, error.details);
    if (isCrucibleError(error)) {
      const status = STATUS_BY_CODE[error.code] ?? 500;
      if (status >= 500) request.log.error({ err: error }, 'run error');
      return send(status, error.code, error.message, error.issues);
    }
    const fe = error as FastifyError;
    if (fe.validation) {
      const details = fe.validation.map((v) => withSuggestion({ path: `${fe.validationContext ?? 'request'}${v.instancePath.replace(/\//g, '.')}`, message: v.message ?? 'invalid' }, v, request));
      return send(400, 'CRUCIBLE_E_INPUT', `invalid ${fe.validationContext ?? 'request'}`, details);
    }
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return send(413, 'CRUCIBLE_E_BODY_TOO_LARGE', 'request body too large');
    if (fe.statusCode === 429) return send(429, 'CRUCIBLE_E_RATE_LIMIT', 'too many requests; slow down');
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      // Fastify's own client errors (bad JSON, wrong content type): their messages name no internals.
      return send(fe.statusCode, 'CRUCIBLE_E_INPUT', fe.message);
    }
    request.log.error({ err: error }, 'unexpected error');
    return send(500, 'CRUCIBLE_E_INTERNAL', 'internal error (see the server log)');
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    const hint = routes?.suggest(request.method, path);
    reply.status(404).send({ error: { code: 'CRUCIBLE_E_NOT_FOUND', message: `no route ${request.method} ${path}`, details: hint ? [{ message: `did you mean ${request.method} ${hint}?` }] : [] } });
  });
}
