// Starts a server: recovers runs a crash interrupted, listens, then starts the queue.
import type { Logger as PinoLogger } from 'pino';
import { createLogger } from '../services/logger.js';
import { buildServer, type BuiltServer } from './app.js';
import { finalizeOptions, type ServerOptions } from './options.js';

export interface StartedServer extends BuiltServer {
  url: string;
  token: string;
  close(): Promise<void>;
}

export async function startServer(partial: Partial<ServerOptions>, options: { logger?: PinoLogger; printToken?: (token: string) => void } = {}): Promise<StartedServer> {
  const final = finalizeOptions(partial);
  const logger = options.logger ?? createLogger({ level: final.logLevel, name: 'crucible-server' });
  const built = await buildServer(final, logger);
  const { app, ctx } = built;
  // Before the queue starts: runs left RUNNING by a crash go back to the queue (resume) or become FAILED-resumable.
  const recovered = ctx.store.index.recoverInterrupted(final.onRestart === 'resume');
  if (recovered.length) logger.warn({ runs: recovered.map((r) => r.id), action: final.onRestart }, 'recovered interrupted runs');
  const address = await app.listen({ host: final.host, port: final.port });
  if (final.tokenGenerated) (options.printToken ?? ((t) => process.stderr.write(`crucible serve: API token (shown once): ${t}\n`)))(final.token);
  logger.info({ address }, 'crucible serve listening');
  ctx.scheduler.tick();
  return { ...built, url: address, token: final.token, close: () => app.close() };
}
