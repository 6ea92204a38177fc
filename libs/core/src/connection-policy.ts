import type { PeerInfo, DisconnectReason } from '@sdnode/transport';
import type { ControlFrame, NodeAddress, NodesFrame, Term } from '@sdnode/wire';
import type { CoreLogger } from './logger.js';
import { GossipRedial, type GossipRedialOptions } from './gossip-redial.js';

/** What a connection policy can see and do on its node. */
export interface PolicyHost {
  readonly name: string;
  readonly hidden: boolean;
  readonly logger: CoreLogger;
  /** Peers whose connection is up (visible and hidden). */
  peers(): readonly PeerInfo[];
  /** Start connecting in the background (no-op when up); failures are logged. */
  connect(name: string, address?: string): void;
  disconnect(name: string): void;
  /**
   * Tell the node's transport where `name` listens, as a peer told this node (NODES gossip, s_group
   * INFO), so that a frame a process sends to `name` before a connection is up (or after it
   * dropped) is not dropped for want of an address. Configured addresses win over learned ones;
   * invalid names and addresses are ignored. Optional so that a host wrapping another may leave it
   * out (the policy then calls `host.learnAddress?.(...)`).
   */
  learnAddress?(name: string, address: string): void;
  /** Send NODES gossip to an up peer; false when it could not be queued. */
  sendNodes(to: string, nodes: readonly NodeAddress[]): boolean;
  /** Send a CONTROL frame on `channel`; false when it could not be queued. */
  sendControl(to: string, channel: string, body: Term): boolean;
  /** Handle CONTROL frames of `channel` (one handler per channel on a node). */
  onControl(channel: string, handler: (from: PeerInfo, body: unknown) => void): void;
}

/**
 * Decides which connections a node makes and which gossip it sends and accepts. The node calls
 * it on every connection event; the policy acts through its PolicyHost.
 *
 * FullMeshPolicy is classic distributed Erlang. s_groups replace it with non-transitive
 * connections: nothing propagates outside a node's groups, group membership is agreed over
 * CONTROL channels, and `accept` / `mayAutoConnect` restrict who may connect.
 */
export interface ConnectionPolicy {
  /** For logs and node.info(). */
  readonly name: string;
  /** Called once when the node starts. */
  start(host: PolicyHost): void;
  /** May a peer that passed the cookie handshake connect? (default: yes) */
  accept?(peer: { name: string; hidden: boolean; creation: number }): boolean;
  /** May the node connect on its own to `node` because a process sent, linked or monitored there? (default: yes) */
  mayAutoConnect?(node: string): boolean;
  /**
   * Is this connected visible peer in the node's visible node list (`node.nodes()`)? Default:
   * yes. s_groups answer no for point-to-point connections to nodes that share no group.
   */
  visible?(peer: PeerInfo): boolean;
  nodeUp(peer: PeerInfo): void;
  nodeDown(peer: PeerInfo, reason: DisconnectReason): void;
  /** A connection attempt to `node` (the policy's own or any other) failed. */
  connectFailed?(node: string, error: Error): void;
  /** NODES gossip from an up peer. */
  nodes(from: PeerInfo, frame: NodesFrame): void;
  /** Called when the node stops. */
  stop(): void;
}

/** FullMeshPolicy's re-dials of gossiped nodes (GossipRedial). */
export type FullMeshOptions = GossipRedialOptions;

/**
 * Classic distributed Erlang: visible nodes form a transitive full mesh.
 *
 * On nodeup of a visible peer P (this node being visible), this node sends P a NODES frame with
 * the other visible nodes it is connected to; on NODES from a visible peer, it connects to each
 * listed visible node it is not connected to. Hidden nodes never send or accept NODES and are
 * never listed, so they are neither propagated nor propagate. Converges: every new connection
 * triggers the same exchange, so a node that joins any member ends up connected to all.
 *
 * A gossiped node whose dial fails (it timed out while a crowded machine started many nodes, or
 * the node is gone) is dialled again after 1, 2, 4, 8, 16, 16 s; then it is given up until some
 * peer gossips it again. Without this, one lost dial at start left the mesh incomplete for good.
 */
export class FullMeshPolicy implements ConnectionPolicy {
  readonly name = 'full_mesh';
  private host: PolicyHost | null = null;
  /** Gossiped nodes not up: where to dial them and how often it failed. */
  private readonly redial: GossipRedial;

  constructor(options: FullMeshOptions = {}) {
    this.redial = new GossipRedial(() => this.host, () => true, options);
  }

  start(host: PolicyHost): void {
    this.host = host;
  }

  nodeUp(peer: PeerInfo): void {
    this.redial.forget(peer.name);
    const host = this.host;
    if (host === null || host.hidden || peer.hidden) return;
    const others = host
      .peers()
      .filter((p) => !p.hidden && p.name !== peer.name)
      .map((p) => ({ name: p.name, address: p.address }));
    if (others.length > 0) host.sendNodes(peer.name, others);
  }

  nodeDown(): void {}

  nodes(from: PeerInfo, frame: NodesFrame): void {
    const host = this.host;
    if (host === null || host.hidden || from.hidden) return;
    const up = new Set(host.peers().map((p) => p.name));
    for (const n of frame.nodes) {
      if (n.name === host.name || up.has(n.name)) continue;
      // A process may send there before the dial below completes, or after it failed.
      host.learnAddress?.(n.name, n.address);
      this.redial.dial(n.name, n.address);
    }
  }

  connectFailed(node: string): void {
    this.redial.failed(node);
  }

  /** Gossiped nodes this node is waiting to re-dial (for node.info() and tests). */
  pendingRetries(): string[] {
    return this.redial.pending();
  }

  stop(): void {
    this.redial.clear();
    this.host = null;
  }
}
