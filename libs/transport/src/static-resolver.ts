import { InvalidArgumentError, isValidNodeName, type NodeName } from '@sdnode/wire';
import type { NodeResolver } from './transport.js';

/** The longest address a transport learns from a peer (a ZeroMQ endpoint is far shorter). */
export const MAX_ADDRESS_LENGTH = 1024;

/**
 * Is `address` worth learning: a non-empty string without spaces or control characters, of at
 * most MAX_ADDRESS_LENGTH characters? What the carrier makes of it is checked when it is dialled.
 */
export function isLearnableAddress(address: unknown): address is string {
  return typeof address === 'string' && address.length > 0 && address.length <= MAX_ADDRESS_LENGTH && !/[\s\u0000-\u001f\u007f]/.test(address);
}

/**
 * A resolver backed by a map: addresses given at construction (from config) plus the addresses
 * learned from handshakes and gossip. Configured addresses win over learned ones, so a peer
 * cannot redirect traffic for a configured node by advertising another address.
 */
export class StaticResolver implements NodeResolver {
  private readonly configured: ReadonlyMap<NodeName, string>;
  private readonly learned = new Map<NodeName, string>();

  constructor(addresses: Readonly<Record<NodeName, string>> | ReadonlyMap<NodeName, string> = {}) {
    const entries = addresses instanceof Map ? [...addresses.entries()] : Object.entries(addresses);
    for (const [name, address] of entries) {
      if (!isValidNodeName(name)) throw new InvalidArgumentError('node name', `"${name}" is not name@host`);
      if (typeof address !== 'string' || address.length === 0) throw new InvalidArgumentError('address', `empty address for ${name}`);
    }
    this.configured = new Map(entries);
  }

  resolve(name: NodeName): string | undefined {
    return this.configured.get(name) ?? this.learned.get(name);
  }

  learn(name: NodeName, address: string): void {
    if (!isValidNodeName(name) || !isLearnableAddress(address)) return;
    this.learned.set(name, address);
  }

  /** Every known name with its address (configured entries first). */
  entries(): Array<[NodeName, string]> {
    const out = new Map(this.learned);
    for (const [n, a] of this.configured) out.set(n, a);
    return [...out.entries()];
  }
}
