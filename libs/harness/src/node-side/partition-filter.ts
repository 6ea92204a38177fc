import type { ConnectionPolicy, PolicyHost } from '@sdnode/core';
import type { DisconnectReason, PeerInfo } from '@sdnode/transport';
import type { NodesFrame } from '@sdnode/wire';

/**
 * The local-mode partition: a connection policy wrapped around the node's own (SGroupPolicy with
 * `sdnode start`, FullMeshPolicy elsewhere) that cuts this node off from a set of nodes. While a
 * node is blocked its connection is closed, its handshakes are refused, this node never dials it
 * on its own (neither from gossip nor when the inner policy asks its host to connect), and gossip
 * about it is neither accepted nor sent; everything else, which connected nodes are visible
 * included, is the inner policy's decision.
 *
 * What it does not do, unlike a real network partition (container mode): the nodes see the cut
 * at once (nodedown `closed` / `peer_closed`, not `tick_timeout`), no packet is silently lost,
 * and a connection refused during the partition fails fast instead of timing out.
 */
export class PartitionFilterPolicy implements ConnectionPolicy {
  private readonly blocked = new Set<string>();
  private host: PolicyHost | null = null;

  constructor(private readonly inner: ConnectionPolicy) {}

  get name(): string {
    return this.inner.name;
  }

  /** The nodes this node is cut off from. */
  blockedNodes(): string[] {
    return [...this.blocked].sort();
  }

  /** Cut this node off from `nodes` (added to those already blocked); closes their connections. */
  block(nodes: readonly string[]): void {
    for (const n of nodes) this.blocked.add(n);
    const host = this.host;
    if (host === null) return;
    for (const peer of host.peers()) if (this.blocked.has(peer.name)) host.disconnect(peer.name);
  }

  /** Lift every block. Reconnecting is left to the nodes (seeds, gossip, on-demand sends). */
  unblock(): void {
    this.blocked.clear();
  }

  start(host: PolicyHost): void {
    this.host = host;
    this.inner.start(this.filtered(host));
  }

  /** The host the inner policy acts through: it cannot dial a blocked node, nor name one in gossip. */
  private filtered(host: PolicyHost): PolicyHost {
    const blocked = this.blocked;
    return {
      get name() {
        return host.name;
      },
      get hidden() {
        return host.hidden;
      },
      get logger() {
        return host.logger;
      },
      peers: () => host.peers(),
      connect: (name, address) => {
        if (!blocked.has(name)) host.connect(name, address);
      },
      disconnect: (name) => host.disconnect(name),
      learnAddress: (name, address) => host.learnAddress?.(name, address),
      sendNodes: (to, nodes) => !blocked.has(to) && host.sendNodes(to, nodes.filter((n) => !blocked.has(n.name))),
      sendControl: (to, channel, body) => host.sendControl(to, channel, body),
      onControl: (channel, handler) => host.onControl(channel, handler),
    };
  }

  accept(peer: { name: string; hidden: boolean; creation: number }): boolean {
    if (this.blocked.has(peer.name)) return false;
    return this.inner.accept?.(peer) ?? true;
  }

  mayAutoConnect(node: string): boolean {
    if (this.blocked.has(node)) return false;
    return this.inner.mayAutoConnect?.(node) ?? true;
  }

  visible(peer: PeerInfo): boolean {
    return this.inner.visible?.(peer) ?? true;
  }

  nodeUp(peer: PeerInfo): void {
    // A handshake this node started before the block may still complete: close it.
    if (this.blocked.has(peer.name)) {
      this.host?.disconnect(peer.name);
      return;
    }
    this.inner.nodeUp(peer);
  }

  nodeDown(peer: PeerInfo, reason: DisconnectReason): void {
    this.inner.nodeDown(peer, reason);
  }

  nodes(from: PeerInfo, frame: NodesFrame): void {
    if (this.blocked.has(from.name)) return;
    this.inner.nodes(from, { ...frame, nodes: frame.nodes.filter((n) => !this.blocked.has(n.name)) });
  }

  stop(): void {
    this.host = null;
    this.inner.stop();
  }
}
