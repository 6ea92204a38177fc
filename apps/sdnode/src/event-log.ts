import { pino, type Logger } from 'pino';

/**
 * What the CLI prints: one line per event. Human-readable by default; with --json one JSON object
 * per line (pino), `{"level":30,"time":...,"event":"nodeup","node":"b@host"}`, for tools and tests.
 */
export interface EventLog {
  event(name: string, fields?: Record<string, unknown>): void;
  /** The logger handed to the node runtime (warnings, bad input, handshakes). */
  readonly logger: Logger;
}

export function createEventLog(options: { json: boolean; level?: string; out?: NodeJS.WritableStream }): EventLog {
  const out = options.out ?? process.stdout;
  const level = options.level ?? 'info';
  if (options.json) {
    const logger = pino({ level, base: null }, pino.destination({ fd: 1, sync: true }));
    return {
      logger,
      event: (name, fields = {}) => logger.info({ event: name, ...plain(fields) }),
    };
  }
  const logger = pino({ level: 'warn', base: null }, pino.destination({ fd: 2, sync: true }));
  return {
    logger,
    event: (name, fields = {}) => {
      const parts = Object.entries(plain(fields)).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
      out.write(`${name}${parts.length ? ' ' + parts.join(' ') : ''}\n`);
    },
  };
}

/** Pids, refs and reasons print through their toString/toJSON. */
function plain(fields: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(fields)) as Record<string, unknown>;
}
