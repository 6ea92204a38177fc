import { pino } from 'pino';

/** The structured logger the runtime uses: a pino-compatible subset (pino loggers fit). */
export interface CoreLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): CoreLogger;
}

/** Default logger of a node: pino at level `warn` (SDNODE_LOG_LEVEL overrides), bound to the node name. */
export function defaultLogger(node: string): CoreLogger {
  return pino({ level: process.env['SDNODE_LOG_LEVEL'] ?? 'warn', base: { node } });
}
