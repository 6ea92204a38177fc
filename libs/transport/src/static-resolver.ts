import { InvalidArgumentError, isValidNodeName, type NodeName } from '@sdnode/wire';
import type { NodeResolver } from './transport.js';

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
    if (!isValidNodeName(name) || typeof address !== 'string' || address.length === 0) return;
    this.learned.set(name, address);
  }

  /** Every known name with its address (configured entries first). */
  entries(): Array<[NodeName, string]> {
    const out = new Map(this.learned);
    for (const [n, a] of this.configured) out.set(n, a);
    return [...out.entries()];
  }
}
