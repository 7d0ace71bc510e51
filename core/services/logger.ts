import { pino, type Logger as PinoLogger } from 'pino';

/** The core's logger: pino, JSON lines to a file or stderr; silent unless a level is asked for. */
export function createLogger(options: { level?: string; file?: string; name?: string } = {}): PinoLogger {
  const level = options.level ?? process.env.CRUCIBLE_LOG_LEVEL ?? 'info';
  const destination = options.file ? pino.destination({ dest: options.file, mkdir: true, sync: true }) : pino.destination(2);
  return pino({ level, name: options.name ?? 'crucible', base: undefined }, destination);
}

export function silentLogger(): PinoLogger {
  return pino({ level: 'silent' });
}
