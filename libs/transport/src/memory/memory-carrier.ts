import { AbortedError, type NodeName } from '@sdnode/wire';
import type { Carrier, CarrierSink, DialOptions, OutboundStream } from '../engine/carrier.js';
import type { MemoryLink } from './memory-link.js';
import { dialTimeout, type MemoryEndpoint, type MemoryNetwork } from './memory-network.js';

/** Delay between dial attempts while nothing listens at the address (ms). */
const DIAL_RETRY_MS = 20;

export interface MemoryCarrierHooks {
  onKilled(): void;
  onFrozen(frozen: boolean): void;
}

/** The Carrier of MemoryTransport: one node's attachment to a MemoryNetwork. */
export class MemoryCarrier implements Carrier, MemoryEndpoint {
  private address: string | undefined;
  private dead = false;
  private readonly outbound = new Map<MemoryLink, (stream: OutboundStream) => void>();

  constructor(
    private readonly network: MemoryNetwork,
    readonly nodeName: NodeName,
    private readonly sink: CarrierSink,
    private readonly hooks: MemoryCarrierHooks,
  ) {}

  listen(): Promise<string> {
    try {
      this.address ??= this.network.attach(this);
      return Promise.resolve(this.address);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async dial(address: string, options: DialOptions): Promise<OutboundStream> {
    const started = Date.now();
    for (;;) {
      if (options.signal.aborted) throw new AbortedError(`connect to ${options.node}`);
      if (this.dead) throw new AbortedError(`connect to ${options.node}`, { reason: 'node killed' });
      const result = this.network.tryDial(this, address);
      if (!(result instanceof Error)) {
        this.outbound.set(result, options.onClosed);
        return result;
      }
      const remaining = options.deadline - Date.now();
      if (remaining <= 0) throw dialTimeout(options.node, address, options.deadline, started, result);
      await waitOrAbort(Math.min(DIAL_RETRY_MS, remaining), options.signal);
    }
  }

  async close(): Promise<void> {
    for (const link of this.outbound.keys()) link.close();
    this.outbound.clear();
    this.network.detach(this);
  }

  // ---- MemoryEndpoint ----

  receive(streamId: string, payload: unknown, bytes: number): void {
    if (!this.dead) this.sink.inbound(streamId, payload, bytes);
  }

  linkLost(link: MemoryLink): void {
    const onClosed = this.outbound.get(link);
    this.outbound.delete(link);
    if (onClosed !== undefined && !this.dead) onClosed(link);
  }

  killed(): void {
    this.dead = true;
    for (const link of this.outbound.keys()) link.sever();
    this.outbound.clear();
    this.hooks.onKilled();
  }

  frozen(frozen: boolean): void {
    this.hooks.onFrozen(frozen);
  }
}

function waitOrAbort(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortedError('dial'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
