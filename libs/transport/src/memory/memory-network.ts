import { InvalidArgumentError, TimeoutError, type NodeName } from '@sdnode/wire';
import { MemoryLink, type LinkEnd } from './memory-link.js';

/** What the network needs from an attached node (a MemoryCarrier). */
export interface MemoryEndpoint extends LinkEnd {
  /** The network tells a node it was killed (stop at once) or frozen/thawed. */
  killed(): void;
  frozen(frozen: boolean): void;
  /** An outbound link of this node was cut by the far end or the network. */
  linkLost(link: MemoryLink): void;
}

function pairKey(a: NodeName, b: NodeName): string {
  return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
}

/**
 * An in-memory network for MemoryTransport: nodes attach to an instance (there is no global
 * state, so tests can run several networks side by side). Addresses are `memory://<node name>/<incarnation>`.
 *
 * Fault hooks for tests:
 * - `partition(a, b)`: cuts every link between a and b at once (both sides see the connection
 *   drop: nodedown `peer_closed`) and makes new dials between them fail until `heal`.
 * - `kill(name)`: the node dies: it stops without events; its peers see `peer_closed`.
 * - `freeze(name)` / `thaw(name)`: the node stops receiving and sending and its timers stop (as
 *   with SIGSTOP); peers detect it by tick timeout; on thaw what waited is delivered.
 */
export class MemoryNetwork {
  private readonly endpoints = new Map<string, MemoryEndpoint>();
  private readonly links = new Set<MemoryLink>();
  private readonly partitions = new Set<string>();
  private readonly frozenNodes = new Set<NodeName>();
  private nextLinkId = 0;

  private readonly latestByName = new Map<NodeName, string>();
  private nextIncarnation = 0;

  /**
   * The address of the node currently attached under `name` (the latest incarnation), or
   * undefined. MemoryTransport's default resolver.
   */
  addressOf(name: NodeName): string | undefined {
    return this.latestByName.get(name);
  }

  /**
   * Attach a node; returns its address `memory://<name>/<incarnation>`. A node attached again under
   * the same name (a restart) takes the name over, like a restarted process listening anew;
   * the older incarnation stays reachable at its own address until it closes.
   */
  attach(endpoint: MemoryEndpoint): string {
    const address = `memory://${endpoint.nodeName}/${++this.nextIncarnation}`;
    this.endpoints.set(address, endpoint);
    this.latestByName.set(endpoint.nodeName, address);
    return address;
  }

  /** Detach a node (it closed): links to it are cut and their dialers told. */
  detach(endpoint: MemoryEndpoint): void {
    const address = this.findAddress(endpoint);
    if (address === undefined) return;
    this.endpoints.delete(address);
    if (this.latestByName.get(endpoint.nodeName) === address) this.latestByName.delete(endpoint.nodeName);
    if (![...this.endpoints.values()].some((e) => e.nodeName === endpoint.nodeName)) this.frozenNodes.delete(endpoint.nodeName);
    for (const link of [...this.links]) {
      if (link.to === endpoint) this.cut(link, true);
      else if (link.from === endpoint) this.cut(link, false);
    }
  }

  /** Open a link from `from` to the node at `address`, or say why not (caller retries). */
  tryDial(from: MemoryEndpoint, address: string): MemoryLink | Error {
    const to = this.endpoints.get(address);
    if (to === undefined) return new Error(`nothing listens at ${address}`);
    if (this.partitions.has(pairKey(from.nodeName, to.nodeName))) return new Error(`${address} is partitioned away`);
    const link = new MemoryLink(
      `${from.nodeName}#${++this.nextLinkId}`,
      from,
      to,
      (l) => this.frozenNodes.has(l.from.nodeName) || this.frozenNodes.has(l.to.nodeName),
      (l) => this.links.delete(l),
    );
    this.links.add(link);
    return link;
  }

  partition(a: NodeName, b: NodeName): void {
    if (a === b) throw new InvalidArgumentError('partition', 'needs two different nodes');
    this.partitions.add(pairKey(a, b));
    for (const link of [...this.links]) {
      if (pairKey(link.from.nodeName, link.to.nodeName) === pairKey(a, b)) this.cut(link, true);
    }
  }

  /** Remove the partition between a and b, or every partition when called without arguments. */
  heal(a?: NodeName, b?: NodeName): void {
    if (a === undefined || b === undefined) this.partitions.clear();
    else this.partitions.delete(pairKey(a, b));
  }

  /** Kill the latest incarnation of `name`. */
  kill(name: NodeName): void {
    const endpoint = this.latest(name);
    if (endpoint === undefined) throw new InvalidArgumentError('node', `${name} is not attached`);
    endpoint.killed();
    this.detach(endpoint);
  }

  freeze(name: NodeName): void {
    const endpoint = this.latest(name);
    if (endpoint === undefined) throw new InvalidArgumentError('node', `${name} is not attached`);
    this.frozenNodes.add(name);
    for (const e of this.endpoints.values()) if (e.nodeName === name) e.frozen(true);
  }

  thaw(name: NodeName): void {
    if (!this.frozenNodes.delete(name)) return;
    for (const endpoint of this.endpoints.values()) if (endpoint.nodeName === name) endpoint.frozen(false);
    for (const link of this.links) {
      if (link.from.nodeName === name || link.to.nodeName === name) link.schedule();
    }
  }

  isFrozen(name: NodeName): boolean {
    return this.frozenNodes.has(name);
  }

  /** Names of the attached nodes. */
  nodes(): NodeName[] {
    return [...this.latestByName.keys()];
  }

  private latest(name: NodeName): MemoryEndpoint | undefined {
    const address = this.latestByName.get(name);
    return address === undefined ? undefined : this.endpoints.get(address);
  }

  private findAddress(endpoint: MemoryEndpoint): string | undefined {
    for (const [address, e] of this.endpoints) if (e === endpoint) return address;
    return undefined;
  }

  private cut(link: MemoryLink, tellDialer: boolean): void {
    this.links.delete(link);
    if (!link.open) return;
    link.sever();
    if (tellDialer) {
      const dialer = link.from as MemoryEndpoint;
      setImmediate(() => dialer.linkLost(link));
    }
  }
}

/** A dial that never connected before its deadline. */
export function dialTimeout(node: NodeName, address: string, deadline: number, started: number, cause: Error): TimeoutError {
  return new TimeoutError(`connect to ${node} at ${address}`, deadline - started, { cause: cause.message });
}
