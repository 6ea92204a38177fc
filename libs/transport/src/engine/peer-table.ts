import type { Frame, NodeName } from '@sdnode/wire';
import type { PeerInfo } from '../transport.js';
import type { Connection } from './connection.js';

/** A `connect()` call waiting for a peer to come up. */
export interface Waiter {
  resolve(peer: PeerInfo): void;
  reject(error: Error): void;
}

/**
 * Everything a node knows about one peer: at most one up connection, at most one pending attempt
 * (an initiator attempt, or an acceptor handshake that may replace the up connection once it is
 * authenticated), the connect() calls waiting, and the frames held until a connection is up.
 */
export class PeerSlot {
  up: Connection | undefined;
  pending: Connection | undefined;
  readonly waiters = new Set<Waiter>();
  held: Frame[] = [];
  heldBytes = 0;

  get isEmpty(): boolean {
    return this.up === undefined && this.pending === undefined && this.waiters.size === 0 && this.held.length === 0;
  }
}

/** Remembers the last `capacity` ids (insertion order), to tell stale streams from unknown ones. */
class RecentIds {
  private readonly ids = new Set<string>();
  constructor(private readonly capacity: number) {}
  add(id: string): void {
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next().value as string;
      this.ids.delete(oldest);
    }
  }
  has(id: string): boolean {
    return this.ids.has(id);
  }
}

/** The indexes of one transport: peers by name, connections by inbound stream and by session. */
export class PeerTable {
  private readonly slots = new Map<NodeName, PeerSlot>();
  private readonly byStream = new Map<string, Connection>();
  private readonly bySession = new Map<string, Connection>();
  private readonly upConnections = new Set<Connection>();
  private readonly deadStreams = new RecentIds(4096);

  slot(name: NodeName): PeerSlot | undefined {
    return this.slots.get(name);
  }

  ensure(name: NodeName): PeerSlot {
    let slot = this.slots.get(name);
    if (slot === undefined) {
      slot = new PeerSlot();
      this.slots.set(name, slot);
    }
    return slot;
  }

  /** Forget a peer once nothing refers to it any more. */
  release(name: NodeName): void {
    const slot = this.slots.get(name);
    if (slot !== undefined && slot.isEmpty) this.slots.delete(name);
  }

  allSlots(): IterableIterator<[NodeName, PeerSlot]> {
    return this.slots.entries();
  }

  connectionForStream(streamId: string): Connection | undefined {
    return this.byStream.get(streamId);
  }

  bindStream(streamId: string, conn: Connection): void {
    conn.inStreamId = streamId;
    this.byStream.set(streamId, conn);
  }

  isDeadStream(streamId: string): boolean {
    return this.deadStreams.has(streamId);
  }

  connectionForSession(key: string): Connection | undefined {
    return this.bySession.get(key);
  }

  addSession(conn: Connection): void {
    this.bySession.set(conn.sessionKey, conn);
  }

  markUp(conn: Connection): void {
    this.bySession.delete(conn.sessionKey);
    this.upConnections.add(conn);
  }

  /** Remove every index entry of a connection that went down; its inbound stream becomes stale. */
  unbind(conn: Connection): void {
    if (this.bySession.get(conn.sessionKey) === conn) this.bySession.delete(conn.sessionKey);
    if (conn.inStreamId !== undefined && this.byStream.get(conn.inStreamId) === conn) {
      this.byStream.delete(conn.inStreamId);
      this.deadStreams.add(conn.inStreamId);
    }
    this.upConnections.delete(conn);
  }

  up(): IterableIterator<Connection> {
    return this.upConnections.values();
  }

  upCount(): number {
    return this.upConnections.size;
  }
}
