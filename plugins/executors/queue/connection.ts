// One ioredis connection per role, configured for a queue that must outlive a Redis restart: commands wait
// for the reconnection instead of failing (maxRetriesPerRequest: null, as BullMQ requires for workers).
import { Redis } from 'ioredis';
import { CrucibleError } from 'crucible-ml';
import { redactUrl } from './protocol.js';

/** Where the queue and its workers meet when nothing names a Redis server. */
export const DEFAULT_REDIS = 'redis://127.0.0.1:6379';

export interface ConnectionLog {
  warn(obj: object, msg: string): void;
}

export function redisConnection(url: string, path: string, log?: ConnectionLog): Redis {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw CrucibleError.at('CRUCIBLE_E_INPUT', { path, message: `not a Redis URL: ${redactUrl(url)}`, hint: 'redis://[:password@]host:6379[/db] or rediss:// for TLS' });
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw CrucibleError.at('CRUCIBLE_E_INPUT', { path, message: `a Redis URL must start with redis:// or rediss://, not ${parsed.protocol}//` });
  }
  const connection = new Redis(url, {
    maxRetriesPerRequest: null,
    // Reconnect quickly, forever: a restarted Redis is back within seconds and nothing may be lost meanwhile.
    retryStrategy: (times) => Math.min(100 * times, 1000),
  });
  let lastWarn = 0;
  connection.on('error', (error: Error) => {
    // ioredis reports every failed reconnect; one line every 10 s says enough.
    if (Date.now() - lastWarn < 10_000) return;
    lastWarn = Date.now();
    log?.warn({ redis: redactUrl(url), error: error.message }, 'redis connection error (retrying)');
  });
  return connection;
}
