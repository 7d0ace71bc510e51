// GET /v1/runs/:id/events: server-sent events tailed from the run's events.jsonl (the worker writes it).
// Each event carries `id: <seq>`; `?after=SEQ` or Last-Event-ID resumes with no gap and no duplicate.
// The stream ends (after an `event: end`) once the run is final and its worker has exited.
import { join } from 'node:path';
import { FINAL_STATES } from '../../store/run-index.js';
import type { App, ServerContext } from '../context.js';
import { EventTail } from '../event-tail.js';
import { errorResponses, runIdParams } from '../schemas.js';
import { assertRun } from './runs.js';

const POLL_MS = 100;

export function eventRoutes(app: App, ctx: ServerContext): void {
  app.get('/v1/runs/:id/events', {
    schema: {
      tags: ['runs'],
      summary: 'follow a run as server-sent events (text/event-stream); resume with ?after=SEQ or Last-Event-ID',
      params: runIdParams,
      querystring: { type: 'object', properties: { after: { type: 'integer', minimum: 0 } } },
      headers: { type: 'object', properties: { 'last-event-id': { type: 'string', pattern: '^[0-9]{1,15}$' } } },
      response: {
        200: {
          description: 'an SSE stream: `id: <seq>`, `event: <type>` (state, stage, progress, log, metric, record, summary), `data: <event JSON>`; a final `event: end` with the run state; `: keep-alive` comments',
          content: { 'text/event-stream': { schema: { type: 'string' } } },
        },
        ...errorResponses,
      },
    },
  }, async (request, reply) => {
    const row = assertRun(ctx, request.params.id);
    const header = request.headers['last-event-id'];
    // The explicit query wins over the header a reconnecting EventSource sends.
    const after = request.query.after ?? (header ? Number(header) : 0);
    const tail = new EventTail(join(ctx.store.runDir(row.id), 'events.jsonl'), after);

    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 1000\n\n');

    let closed = false;
    let timer: NodeJS.Timeout | undefined;
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), ctx.options.keepAliveMs);
    const finish = () => {
      if (closed) return;
      closed = true;
      clearInterval(keepAlive);
      clearTimeout(timer);
      res.end();
    };
    res.on('close', finish);
    res.on('error', finish);

    const pump = async (): Promise<void> => {
      if (closed) return;
      try {
        // Decide "final" before reading, so events written before the final state are always sent.
        const current = ctx.store.index.get(row.id);
        const final = !current || (FINAL_STATES.includes(current.state) && !ctx.scheduler.isActive(row.id));
        const events = await tail.read();
        let chunk = '';
        for (const e of events) chunk += `id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;
        if (chunk && !closed) res.write(chunk);
        if (final) {
          if (!closed) res.write(`event: end\ndata: ${JSON.stringify({ state: current?.state ?? null, lastSeq: tail.lastSeq })}\n\n`);
          return finish();
        }
      } catch (error) {
        request.log.error({ err: error }, 'event stream failed');
        return finish();
      }
      timer = setTimeout(pump, POLL_MS);
    };
    void pump();
  });
}
