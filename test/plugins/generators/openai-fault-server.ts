// A fault-injecting OpenAI-compatible stand-in for the error-path tests: each request is answered by the next
// behaviour in a script (then by the last one forever); correct answers hold `reply(body)`. The happy path is tested against crucible's own server.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export type Behaviour =
  | 'ok'
  | { status: number; retryAfter?: string; body?: string }
  | 'drop' // destroy the socket without answering
  | { delayMs: number } // answer correctly, late
  | 'malformed' // 200 with a truncated JSON body
  | 'shape'; // 200 with valid JSON of the wrong shape

export interface FaultServer {
  url: string;
  /** Requests received (every attempt). */
  readonly count: number;
  bodies: Array<Record<string, unknown>>;
  headers: IncomingMessage['headers'][];
  close(): Promise<void>;
}

export type Reply = (body: Record<string, unknown>) => string;
const defaultReply: Reply = (body) => `    return ${String(body.seed)}\n`;

function completion(body: Record<string, unknown>, chat: boolean, reply: Reply): string {
  const text = reply(body);
  if (chat) {
    return JSON.stringify({
      id: 'chatcmpl-x', object: 'chat.completion', created: 0, model: body.model,
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop', logprobs: null }],
      usage: { prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 },
    });
  }
  return JSON.stringify({
    id: 'cmpl-x', object: 'text_completion', created: 0, model: body.model,
    choices: [{ index: 0, text, finish_reason: 'stop', logprobs: { tokens: [text], token_logprobs: [-0.5], top_logprobs: [null], text_offset: [0] } }],
    usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
  });
}

export async function startFaultServer(script: Behaviour[], reply: Reply = defaultReply): Promise<FaultServer> {
  let count = 0;
  const bodies: Array<Record<string, unknown>> = [];
  const headers: IncomingMessage['headers'][] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const behaviour = script[Math.min(count, script.length - 1)];
    count++;
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const body = JSON.parse(raw || '{}') as Record<string, unknown>;
      bodies.push(body);
      headers.push(req.headers);
      const ok = () => res.writeHead(200, { 'content-type': 'application/json' }).end(completion(body, (req.url ?? '').includes('/chat/'), reply));
      if (behaviour === 'ok') return ok();
      if (behaviour === 'drop') return req.socket.destroy();
      if (behaviour === 'malformed') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"choices": [{"text": "de');
      if (behaviour === 'shape') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"result": "nothing"}');
      if ('delayMs' in behaviour) {
        const t = setTimeout(() => { timers.delete(t); if (!res.destroyed) ok(); }, behaviour.delayMs);
        timers.add(t);
        return;
      }
      const h: Record<string, string> = { 'content-type': 'application/json' };
      if (behaviour.retryAfter !== undefined) h['retry-after'] = behaviour.retryAfter;
      res.writeHead(behaviour.status, h).end(behaviour.body ?? JSON.stringify({ error: { message: `injected ${behaviour.status}`, type: 'injected' } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    get count() { return count; },
    bodies,
    headers,
    close: () => new Promise<void>((r) => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
