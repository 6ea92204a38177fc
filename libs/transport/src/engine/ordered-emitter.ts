import { EventEmitter } from 'node:events';
import type { DistFrame } from '@sdnode/wire';
import type { PeerInfo, TransportEvents, TransportLogger } from '../transport.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Listener = (...args: any[]) => void;

/**
 * The transport's event emitter. Two rules: (1) no event is emitted synchronously inside a
 * Transport method call (send, connect, disconnect, close): such events are queued and emitted
 * from a microtask, so callers are never re-entered; (2) events keep their order: while queued
 * events wait, later ones queue behind them. A listener that throws is logged; the exception never
 * reaches the transport's I/O loop.
 */
export class OrderedEmitter {
  private readonly emitter = new EventEmitter();
  private readonly backlog: Array<[keyof TransportEvents, unknown[]]> = [];
  private apiDepth = 0;
  private drainScheduled = false;

  constructor(private readonly logger: TransportLogger) {
    this.emitter.setMaxListeners(0);
  }

  on(event: keyof TransportEvents, listener: Listener): void {
    this.emitter.on(event, listener as (...args: unknown[]) => void);
  }

  off(event: keyof TransportEvents, listener: Listener): void {
    this.emitter.off(event, listener as (...args: unknown[]) => void);
  }

  /** Run `fn` as a Transport method call: events it causes are deferred. */
  api<T>(fn: () => T): T {
    this.apiDepth++;
    try {
      return fn();
    } finally {
      this.apiDepth--;
    }
  }

  emit<E extends keyof TransportEvents>(event: E, ...args: TransportEvents[E]): void {
    if (this.apiDepth > 0 || this.backlog.length > 0) {
      this.backlog.push([event, args]);
      if (!this.drainScheduled) {
        this.drainScheduled = true;
        queueMicrotask(() => this.drain());
      }
      return;
    }
    this.deliver(event, args);
  }

  /** The receive hot path: a `frame` event, emitted directly unless events are being deferred. */
  emitFrame(peer: PeerInfo, frame: DistFrame): void {
    if (this.apiDepth > 0 || this.backlog.length > 0) {
      this.emit('frame', peer, frame);
      return;
    }
    try {
      this.emitter.emit('frame', peer, frame);
    } catch (err) {
      this.logger.error({ err, event: 'frame' }, 'transport event listener threw');
    }
  }

  deliver(event: keyof TransportEvents, args: unknown[]): void {
    try {
      this.emitter.emit(event, ...args);
    } catch (err) {
      this.logger.error({ err, event }, 'transport event listener threw');
    }
  }

  private drain(): void {
    this.drainScheduled = false;
    while (this.backlog.length > 0) {
      const [event, args] = this.backlog.shift()!;
      this.deliver(event, args);
    }
  }
}
