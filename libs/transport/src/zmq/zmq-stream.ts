import type { Dealer } from 'zeromq';
import type { OutboundStream } from '../engine/carrier.js';
import { toParts } from './batch-parts.js';

/**
 * An outbound stream over one ZeroMQ Dealer connected to a peer's Router. The Dealer's routing
 * id is the stream id the peer sees. A small batch is written as several parts (batch-parts.ts). Closing sets the linger (how long unsent messages may still
 * leave) and closes the socket.
 */
export class ZmqStream implements OutboundStream {
  private closed = false;

  constructor(
    readonly id: string,
    private readonly dealer: Dealer,
    private readonly onClose: (stream: ZmqStream) => void,
  ) {}

  get isClosed(): boolean {
    return this.closed;
  }

  write(payload: unknown): Promise<void> {
    return this.dealer.send(toParts(payload as Uint8Array));
  }

  close(flushMs = 0): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.dealer.linger = flushMs;
      this.dealer.close();
    } catch {
      // already closed by the context: nothing left to release
    }
    this.onClose(this);
  }
}
