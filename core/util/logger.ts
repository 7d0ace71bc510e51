import { pino, type Logger as PinoLogger } from 'pino';

/** The core's logger: pino, JSON lines to a file or stderr; silent unless a level is asked for. */
export function createLogger(options: { level?: string; file?: string; name?: string } = {}): PinoLogger {
  const level = options.level ?? process.env.CRUCIBLE_LOG_LEVEL ?? 'info';
  const destination = options.file ? pino.destination({ dest: options.file, mkdir: true, sync: true }) : pino.destination(2);
  // A full or read-only disk must not turn every log call (in any plugin) into an exception: the write that
  // matters fails on its own and is reported as CRUCIBLE_E_STORAGE.
  const tolerant = {
    write(line: string): void {
      try {
        destination.write(line);
      } catch {
        // dropped log line
      }
    },
  };
  return pino({ level, name: options.name ?? 'crucible', base: undefined }, tolerant);
}

export function silentLogger(): PinoLogger {
  return pino({ level: 'silent' });
}
