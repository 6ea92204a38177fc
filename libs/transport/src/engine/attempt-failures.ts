import { errorLogFields, isExpectedError, TimeoutError, type NodeName, type RefuseFrame } from '@sdnode/wire';
import type { TransportLogger, TransportStats } from '../transport.js';
import type { Connection } from './connection.js';
import type { OrderedEmitter } from './ordered-emitter.js';
import type { OutboundWriter } from './outbound-writer.js';
import type { PeerSlot, PeerTable } from './peer-table.js';

/** What attempt failures need from the connection manager that owns them. */
export interface AttemptFailuresHost {
  readonly table: PeerTable;
  readonly writer: OutboundWriter;
  readonly stats: TransportStats;
  readonly logger: TransportLogger;
  readonly events: OrderedEmitter;
  /** Close the connection's stream, after a final REFUSE of this reason when one is given. */
  closeStream(conn: Connection, finalRefuse: RefuseFrame['reason'] | undefined): void;
}

/**
 * How connection attempts that do not come up end (docs/protocols/handshake.md): the handshake
 * deadline, failed attempts (the peer's connect() waiters rejected and held frames dropped,
 * `connectfailed`), and attempts dropped silently because a newer one takes their place.
 */
export class AttemptFailures {
  constructor(private readonly host: AttemptFailuresHost) {}

  /**
   * The handshake's deadline counts what arrived before it. An event loop that runs late fires its
   * expired timers before it reads its sockets, so the answer that completes the handshake may be
   * waiting unread when the timer fires: the attempt fails only if it is still pending after the
   * sockets were read (setImmediate runs after the poll phase). Failing first left the acceptor up
   * with a peer that had given up (at 128 nodes on 2 CPUs, 149 flaps of nodedown and nodeup).
   * An attempt that fails on its stream says so (REFUSE closed): a peer that answers too late, and
   * so goes up after this side gave up, reads it next and takes that connection down at once
   * instead of keeping it until a later dial replaces it.
   */
  startHandshakeTimer(conn: Connection, timeout: number): void {
    conn.handshakeTimeoutMs = timeout;
    if (conn.handshakeTimer !== undefined) clearTimeout(conn.handshakeTimer);
    conn.handshakeTimer = setTimeout(() => {
      conn.handshakeTimer = undefined;
      setImmediate(() => {
        // still pending, and no step answered meanwhile (that would have started a new deadline)
        if (conn.isPending && conn.handshakeTimer === undefined) this.failAttempt(conn, new TimeoutError(`handshake with ${conn.peerName}`, timeout), conn.stream !== undefined ? 'closed' : undefined);
      });
    }, timeout);
  }

  /**
   * The peer answered a step of the handshake (the initiator got a valid CHALLENGE: the peer is
   * there and knows the cookie): the deadline starts again for the rest, as Erlang's dist_util
   * resets its setup timer at each step. The deadline is per step, not for the whole handshake:
   * an acceptor that is slow at each step (a herd of dials into a loaded process) is not given up
   * on while it answers, which left it up alone with a peer that had gone. A step answered after
   * the timer fired but before the failure is taken (see startHandshakeTimer) counts too. An
   * attempt started by a connect() call with its own timeout keeps one deadline: the call
   * settles by it.
   */
  restartHandshakeTimer(conn: Connection): void {
    if (conn.handshakePerStep && conn.isPending) this.startHandshakeTimer(conn, conn.handshakeTimeoutMs);
  }

  /**
   * A connection attempt failed before it came up. Unless an up connection remains, the connect()
   * calls waiting for the peer are rejected and the held frames dropped (`connectfailed`).
   */
  failAttempt(conn: Connection, error: Error, refuse?: RefuseFrame['reason']): void {
    if (!conn.isPending) return;
    const host = this.host;
    this.tearDown(conn, refuse);
    const slot = host.table.ensure(conn.peerName);
    if (slot.pending === conn) {
      slot.pending = undefined;
      // A refused or timed-out attempt is an expected event (partitions, restarts): no stack, info level.
      if (isExpectedError(error)) host.logger.info({ ...conn.describe(), ...errorLogFields(error) }, 'connection attempt failed');
      else host.logger.warn({ ...conn.describe(), err: error }, 'connection attempt failed');
      if (slot.up === undefined && (conn.role === 'initiator' || slot.waiters.size > 0 || slot.held.length > 0)) {
        this.failPeer(slot, error, conn.peerName);
      }
    }
    host.table.release(conn.peerName);
  }

  /** Reject the waiters and drop the held frames of a peer that could not be reached. */
  failPeer(slot: PeerSlot | undefined, error: Error, name: NodeName): void {
    if (slot === undefined) return;
    this.host.stats.framesDropped += slot.held.length;
    slot.held = [];
    slot.heldBytes = 0;
    for (const waiter of [...slot.waiters]) waiter.reject(error);
    if (name !== '') this.host.events.emit('connectfailed', name, error);
  }

  /**
   * Drop a pending attempt silently: a newer one takes its place (simultaneous connect, a HELLO
   * while our attempt is still dialling, newer HELLO). The waiters and held frames stay with the peer.
   */
  abandon(conn: Connection): void {
    if (!conn.isPending) return;
    this.tearDown(conn, undefined);
    const slot = this.host.table.slot(conn.peerName);
    if (slot?.pending === conn) slot.pending = undefined;
  }

  /** Take a pending attempt down: its timers, stream binding, queue and held frames go. */
  private tearDown(conn: Connection, refuse: RefuseFrame['reason'] | undefined): void {
    const host = this.host;
    conn.moveTo('down');
    conn.stopTimers();
    host.table.unbind(conn);
    conn.queue.clear();
    host.writer.dropHeld(conn);
    host.closeStream(conn, refuse);
  }
}
