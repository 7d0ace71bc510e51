// Which failures are worth another try, and how long to wait. Transient: 408/409/429/5xx, network errors,
// timeouts and malformed answers (a proxy cut the body short). Anything else (400, 401, 404, ...) will not get
// better by asking again and fails at once.
import { APIConnectionError, APIError } from 'openai';

export interface Failure {
  retryable: boolean;
  /** What went wrong, for the final error. */
  description: string;
  /** The server's Retry-After (or retry-after-ms), in ms, when it sent one. */
  retryAfterMs?: number;
}

/** Thrown for a 2xx answer that is not the shape asked for. */
export class MalformedResponse extends Error {}

/** Thrown when our own per-request deadline fired. */
export class RequestTimeout extends Error {}

const RETRYABLE_STATUS = new Set([408, 409, 429]);

export function parseRetryAfter(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.max(0, Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function classify(error: unknown): Failure {
  if (error instanceof RequestTimeout) return { retryable: true, description: error.message };
  if (error instanceof MalformedResponse) return { retryable: true, description: `malformed answer: ${error.message}` };
  if (error instanceof SyntaxError) return { retryable: true, description: `malformed JSON in the answer: ${error.message}` };
  if (error instanceof APIConnectionError) {
    const cause = (error as { cause?: { message?: string; code?: string } }).cause;
    return { retryable: true, description: `connection failed: ${error.message}${cause?.code ? ` (${cause.code})` : cause?.message ? ` (${cause.message})` : ''}` };
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    const status = error.status;
    return {
      retryable: RETRYABLE_STATUS.has(status) || status >= 500,
      description: `HTTP ${status}: ${error.message}`,
      retryAfterMs: parseRetryAfter(error.headers),
    };
  }
  const e = error as { code?: string; message?: string };
  // fetch-level failures that reach us unwrapped (socket hang up, ECONNRESET, ...)
  if (e && typeof e.code === 'string' && /^E[A-Z]+|UND_ERR/.test(e.code)) return { retryable: true, description: `network error: ${e.code} ${e.message ?? ''}`.trim() };
  return { retryable: false, description: e?.message ?? String(error) };
}

/** Exponential backoff with full jitter: uniform in [0, min(cap, base * 2^attempt)]. */
export function backoffMs(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  return Math.round(random() * Math.min(capMs, baseMs * 2 ** attempt));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
