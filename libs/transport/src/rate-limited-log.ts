import type { TransportLogger } from './transport.js';

export const silentLogger: TransportLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/**
 * Logs bad input at warn level, at most `perSecond` lines a second: a peer sending garbage must
 * not flood the log. Suppressed lines are counted and reported with the next line logged.
 */
export class RateLimitedLog {
  private windowStart = 0;
  private inWindow = 0;
  private suppressed = 0;

  constructor(
    private readonly logger: TransportLogger,
    private readonly perSecond = 20,
  ) {}

  warn(obj: Record<string, unknown>, msg: string): void {
    const now = Date.now();
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.inWindow = 0;
    }
    if (this.inWindow >= this.perSecond) {
      this.suppressed++;
      return;
    }
    this.inWindow++;
    if (this.suppressed > 0) {
      this.logger.warn({ ...obj, suppressed: this.suppressed }, msg);
      this.suppressed = 0;
    } else {
      this.logger.warn(obj, msg);
    }
  }
}
