// Starts a server: listens, then recovers runs a crash interrupted and starts the queue.
import type { Logger as PinoLogger } from 'pino';
import '../builtins.js';
import { createLogger } from '../util/logger.js';
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
  const address = await app.listen({ host: final.host, port: final.port });
  if (final.tokenGenerated) (options.printToken ?? ((t) => process.stderr.write(`crucible serve: API token (shown once): ${t}\n`)))(final.token);
  logger.info({ address }, 'crucible serve listening');
  // Runs a crash left RUNNING go back to the queue (resume) or become FAILED-resumable, then the queue starts.
  ctx.scheduler.start();
  return { ...built, url: address, token: final.token, close: () => app.close() };
}
