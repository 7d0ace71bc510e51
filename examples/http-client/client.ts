// A small crucible API client on plain fetch: submit a run, follow its events (server-sent events,
// reconnecting after a dropped connection from the last seen sequence number), download artifacts.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface RunEvent {
  seq: number;
  time: string;
  type: string;
  [key: string]: unknown;
}

export interface SseMessage {
  id?: string;
  event: string;
  data: string;
}

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details: unknown[] = []) {
    super(`${status} ${code}: ${message}`);
  }
}

/** Splits a text/event-stream body into messages (comments and `retry:` lines are skipped). */
export async function* parseSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const message: SseMessage = { event: 'message', data: '' };
      let hasData = false;
      for (const line of block.split('\n')) {
        if (!line || line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'id') message.id = value;
        else if (field === 'event') message.event = value;
        else if (field === 'data') (message.data += (hasData ? '\n' : '') + value), (hasData = true);
      }
      if (hasData) yield message;
    }
  }
}

export class CrucibleClient {
  constructor(readonly baseUrl: string, private readonly token: string) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Bearer ${this.token}`, ...extra };
  }

  private async json<T>(path: string, init: RequestInit = {}): Promise<T> {
    const res = await fetch(new URL(path, this.baseUrl), { ...init, headers: this.headers(init.headers as Record<string, string>) });
    const body = (await res.json()) as T & { error?: { code: string; message: string; details: unknown[] } };
    if (!res.ok) throw new ApiError(res.status, body.error?.code ?? 'UNKNOWN', body.error?.message ?? res.statusText, body.error?.details);
    return body;
  }

  /** Submits a manifest; the same idempotency key returns the same run when a submit is retried. */
  submit(manifest: object, idempotencyKey?: string): Promise<{ id: string; state: string; replayed: boolean }> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    return this.json('/v1/runs', { method: 'POST', headers, body: JSON.stringify(manifest) });
  }

  get(id: string): Promise<{ id: string; state: string; headline: Record<string, number> | null; error: unknown; stages: unknown[] }> {
    return this.json(`/v1/runs/${encodeURIComponent(id)}`);
  }

  cancel(id: string): Promise<{ state: string }> {
    return this.json(`/v1/runs/${encodeURIComponent(id)}/cancel`, { method: 'POST' });
  }

  /**
   * Every event of the run, in order, until the run is final. A dropped connection is reopened with
   * Last-Event-ID, so nothing is lost or repeated. `onConnect` sees each (re)connection (for demos/tests).
   */
  async *events(id: string, options: { after?: number; signal?: AbortSignal; retryMs?: number; maxRetries?: number; onConnect?: (attempt: number, after: number, abort: () => void) => void } = {}): AsyncGenerator<RunEvent> {
    let last = options.after ?? 0;
    let failures = 0;
    for (let attempt = 0; ; attempt++) {
      const controller = new AbortController();
      const onAbort = () => controller.abort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        options.onConnect?.(attempt, last, () => controller.abort());
        const res = await fetch(new URL(`/v1/runs/${encodeURIComponent(id)}/events`, this.baseUrl), {
          headers: this.headers({ accept: 'text/event-stream', ...(last ? { 'last-event-id': String(last) } : {}) }),
          signal: controller.signal,
        });
        if (!res.ok || !res.body) {
          const body = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string } };
          throw new ApiError(res.status, body.error?.code ?? 'UNKNOWN', body.error?.message ?? res.statusText);
        }
        for await (const message of parseSse(res.body)) {
          failures = 0;
          if (message.event === 'end') return;
          const event = JSON.parse(message.data) as RunEvent;
          if (event.seq <= last) continue; // belt and braces: the server already resumes after `last`
          last = event.seq;
          yield event;
        }
      } catch (error) {
        if (options.signal?.aborted) return;
        if (error instanceof ApiError && error.status < 500) throw error;
        if (++failures > (options.maxRetries ?? 20)) throw error;
      } finally {
        options.signal?.removeEventListener('abort', onAbort);
      }
      // The stream broke before `event: end`: reconnect from the last sequence number seen.
      await new Promise((r) => setTimeout(r, options.retryMs ?? 500));
    }
  }

  async artifacts(id: string): Promise<Array<{ path: string; size: number }>> {
    return (await this.json<{ files: Array<{ path: string; size: number }> }>(`/v1/runs/${encodeURIComponent(id)}/artifacts`)).files;
  }

  /** Streams one artifact to `dest`. */
  async download(id: string, path: string, dest: string): Promise<string> {
    const url = new URL(`/v1/runs/${encodeURIComponent(id)}/artifacts/${path.split('/').map(encodeURIComponent).join('/')}`, this.baseUrl);
    const res = await fetch(url, { headers: this.headers() });
    if (!res.ok) {
      const body = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string } };
      throw new ApiError(res.status, body.error?.code ?? 'UNKNOWN', body.error?.message ?? res.statusText);
    }
    await mkdir(dirname(dest), { recursive: true });
    await writeFile(dest, Buffer.from(await res.arrayBuffer()));
    return dest;
  }

  /** The run's report: report.html when the run wrote one, else results.json. */
  async downloadReport(id: string, dir: string): Promise<string> {
    const files = await this.artifacts(id);
    const name = files.some((f) => f.path === 'report.html') ? 'report.html' : 'results.json';
    return this.download(id, name, join(dir, name));
  }
}
