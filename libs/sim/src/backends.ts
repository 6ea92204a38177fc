import { MemoryNetwork, MemoryTransport, type Transport } from '@sdnode/transport';
import type { LinkModelOptions } from './link-model.js';
import { SimNetwork } from './sim-network.js';
import { SimTransport } from './sim-transport.js';
import type { VirtualClock } from './virtual-clock.js';

/** Where a cluster's nodes connect: the simulated network, or the real in-memory transport. */
export interface Backend {
  readonly kind: 'sim' | 'memory';
  transport(name: string, index: number): Transport;
  /** Cut every connection between `side` and the other nodes of `all`, and refuse new ones. */
  partition(side: readonly string[], all: readonly string[]): void;
  heal(): void;
  /** Is anything on its way (sim only; the memory transport does not say)? */
  busy(): boolean;
  /** Virtual time of the last delivery or connection change (sim only). */
  lastActivity(): number;
  /** Handshake messages sent so far (sim: 4 per connection; memory: not counted). */
  handshakeMessages(): number;
}

/** The simulator's backend: SimTransports over one SimNetwork with the given link model. */
export class SimBackend implements Backend {
  readonly kind = 'sim';
  readonly network: SimNetwork;

  constructor(clock: VirtualClock, model: LinkModelOptions = {}) {
    this.network = new SimNetwork(clock, model);
  }

  transport(name: string, index: number): Transport {
    return new SimTransport({ network: this.network, name, creation: index + 1 });
  }

  partition(side: readonly string[]): void {
    this.network.partition(side);
  }

  heal(): void {
    this.network.heal();
  }

  busy(): boolean {
    return this.network.inFlight > 0;
  }

  lastActivity(): number {
    return this.network.lastActivity;
  }

  handshakeMessages(): number {
    return this.network.handshakeMessages;
  }
}

/**
 * The real runtime's backend for the comparison: MemoryTransport (the real transport engine:
 * handshake, epochs, ticks, batching, CBOR encoding of every frame) over a MemoryNetwork, run
 * under the same virtual clock.
 */
export class MemoryBackend implements Backend {
  readonly kind = 'memory';
  readonly network = new MemoryNetwork();

  transport(name: string, index: number): Transport {
    return new MemoryTransport({ network: this.network, name, cookie: 'sim', creation: index + 1, encode: true });
  }

  partition(side: readonly string[], all: readonly string[]): void {
    const inside = new Set(side);
    for (const a of side) for (const b of all) if (!inside.has(b)) this.network.partition(a, b);
  }

  heal(): void {
    this.network.heal();
  }

  busy(): boolean {
    return false;
  }

  lastActivity(): number {
    return 0;
  }

  handshakeMessages(): number {
    return 0;
  }
}
