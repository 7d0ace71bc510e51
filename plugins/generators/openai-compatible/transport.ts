// Requests to one or more OpenAI-compatible servers through the official client: load spread over the base
// URLs (fewest requests in flight, round-robin among equals), bounded concurrency, our own retry loop (the
// client's is off, so the limits in the manifest are the only ones), a per-request deadline and cancellation.
// An endpoint that fails (connection refused, 5xx, timeout, 429) is set aside for a growing cool-off and the
// request moves at once to a healthy one: failing over costs no backoff and no retry. A sample's answer does
// not depend on which endpoint gave it (its seed and parameters are in the request).
import OpenAI from 'openai';
import pLimit from 'p-limit';
import { CrucibleError } from 'crucible-ml';
import type { Gate } from './as-completed.js';
import { backoffMs, classify, MalformedResponse, RequestTimeout, sleep } from './retry.js';

export interface TransportOptions {
  baseURLs: string[];
  apiKey: string;
  concurrency: number;
  timeoutMs: number;
  maxRetries: number;
  retryBaseMs: number;
  retryMaxMs: number;
  signal: AbortSignal;
  onRetry?: (info: { baseURL: string; attempt: number; waitMs: number; description: string }) => void;
  onDown?: (info: { baseURL: string; forMs: number; description: string }) => void;
  /** First cool-off of a failed endpoint; doubles per consecutive failure up to 30 s. */
  coolOffMs?: number;
}

export type Route = 'completions' | 'chat';

interface Endpoint {
  baseURL: string;
  client: OpenAI;
  inFlight: number;
  requests: number;
  /** Consecutive failures, and until when it is set aside. */
  failures: number;
  downUntil: number;
}

const MAX_COOL_OFF_MS = 30_000;

export class Transport {
  private readonly endpoints: Endpoint[];
  private readonly limit: ReturnType<typeof pLimit>;
  private next = 0;

  constructor(private readonly options: TransportOptions) {
    this.endpoints = options.baseURLs.map((baseURL) => ({
      baseURL,
      client: new OpenAI({ baseURL, apiKey: options.apiKey, maxRetries: 0, timeout: options.timeoutMs }),
      inFlight: 0,
      requests: 0,
      failures: 0,
      downUntil: 0,
    }));
    this.limit = pLimit(options.concurrency);
  }

  /** Requests sent per base URL (attempts, retries included). */
  counts(): Record<string, number> {
    return Object.fromEntries(this.endpoints.map((e) => [e.baseURL, e.requests]));
  }

  /** Healthy endpoints other than `avoid` (by fewest requests in flight); when none is healthy, the one back soonest. */
  private pick(avoid?: Endpoint): Endpoint {
    const now = Date.now();
    const others = this.endpoints.length > 1 && avoid ? this.endpoints.filter((e) => e !== avoid) : this.endpoints;
    const up = others.filter((e) => e.downUntil <= now);
    if (!up.length) return others.reduce((a, b) => (b.downUntil < a.downUntil ? b : a));
    const least = Math.min(...up.map((e) => e.inFlight));
    const tied = up.filter((e) => e.inFlight === least);
    return tied[this.next++ % tied.length];
  }

  private hasHealthyOther(endpoint: Endpoint): boolean {
    const now = Date.now();
    return this.endpoints.some((e) => e !== endpoint && e.downUntil <= now);
  }

  private setAside(endpoint: Endpoint, description: string, retryAfterMs?: number): void {
    const forMs = retryAfterMs ?? Math.min(MAX_COOL_OFF_MS, (this.options.coolOffMs ?? 1000) * 2 ** endpoint.failures);
    endpoint.failures++;
    const until = Date.now() + forMs;
    if (until > endpoint.downUntil) {
      endpoint.downUntil = until;
      if (this.endpoints.length > 1) this.options.onDown?.({ baseURL: endpoint.baseURL, forMs, description });
    }
  }

  /**
   * Sends `body` to the route, retrying transient failures; resolves to the answer checked by `validate`.
   * `gate` is checked when the request's turn comes (after waiting for a concurrency slot) and told of a failure.
   */
  request<T>(route: Route, body: Record<string, unknown>, validate: (answer: unknown) => T, what: string, gate?: Gate): Promise<T> {
    return this.limit(async () => {
      gate?.check();
      try {
        return await this.withRetries(route, body, validate, what);
      } catch (error) {
        gate?.fail(error); // inside the slot, so the next queued request already sees it
        throw error;
      }
    });
  }

  private async withRetries<T>(route: Route, body: Record<string, unknown>, validate: (answer: unknown) => T, what: string): Promise<T> {
    const { maxRetries, signal } = this.options;
    let last: Endpoint | undefined;
    // Moving to another healthy endpoint is free, at most once per other endpoint.
    let failovers = this.endpoints.length - 1;
    for (let attempt = 0; ; attempt++) {
      this.throwIfCancelled();
      const endpoint = this.pick(last);
      last = endpoint;
      try {
        const answer = validate(await this.once(endpoint, route, body));
        endpoint.failures = 0;
        return answer;
      } catch (error) {
        this.throwIfCancelled();
        const failure = classify(error);
        if (failure.retryable && !(error instanceof MalformedResponse)) this.setAside(endpoint, failure.description, failure.retryAfterMs);
        if (failure.retryable && failovers > 0 && this.hasHealthyOther(endpoint)) {
          failovers--;
          attempt--;
          continue;
        }
        if (!failure.retryable || attempt >= maxRetries) {
          const tries = attempt + 1;
          throw new CrucibleError(
            'CRUCIBLE_E_GENERATOR',
            `${what}: ${route} request to ${endpoint.baseURL} failed${failure.retryable ? ` after ${tries} attempt${tries === 1 ? '' : 's'}` : ' (not retryable)'}: ${failure.description}`,
            [{ message: failure.description, hint: failure.retryable ? 'the server kept failing; answers received so far are cached and a resumed run will not ask for them again' : 'check the model name, base URL, API key and request parameters' }],
            { cause: error },
          );
        }
        const waitMs = failure.retryAfterMs !== undefined
          ? Math.min(failure.retryAfterMs, this.options.retryMaxMs)
          : backoffMs(attempt, this.options.retryBaseMs, this.options.retryMaxMs);
        this.options.onRetry?.({ baseURL: endpoint.baseURL, attempt: attempt + 1, waitMs, description: failure.description });
        await sleep(waitMs, signal).catch(() => this.throwIfCancelled());
      }
    }
  }

  private async once(endpoint: Endpoint, route: Route, body: Record<string, unknown>): Promise<unknown> {
    // Our own deadline covers the whole exchange (the client's timeout stops at the response headers).
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.options.timeoutMs);
    const signal = AbortSignal.any([this.options.signal, deadline.signal]);
    endpoint.inFlight++;
    endpoint.requests++;
    try {
      const opts = { signal, timeout: this.options.timeoutMs, maxRetries: 0 };
      // Engine extras ride along in the body: the client sends it as given.
      const answer = route === 'chat'
        ? await endpoint.client.chat.completions.create(body as never, opts)
        : await endpoint.client.completions.create(body as never, opts);
      return answer;
    } catch (error) {
      if (deadline.signal.aborted && !this.options.signal.aborted) throw new RequestTimeout(`no complete answer within ${this.options.timeoutMs} ms`);
      throw error;
    } finally {
      clearTimeout(timer);
      endpoint.inFlight--;
    }
  }

  private throwIfCancelled(): void {
    if (this.options.signal.aborted) throw new CrucibleError('CRUCIBLE_E_CANCELLED', 'the run was cancelled while requests were in flight');
  }
}
