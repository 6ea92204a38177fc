import type { DisconnectReason } from '@sdnode/transport';
import type { DistFrame } from '@sdnode/wire';
import type { LinkModel } from './link-model.js';
import type { VirtualClock } from './virtual-clock.js';

/** 0: the dialer's end of a connection, 1: the acceptor's. */
export type Side = 0 | 1;

/** What a connection needs from the transport at each of its ends. */
export interface ConnectionEnd {
  readonly name: string;
  readonly creation: number;
  readonly hidden: boolean;
  readonly address: string | undefined;
  /** Would this end accept a handshake from `peer` (the transport's `accept` option)? */
  accepts(peer: { name: string; hidden: boolean; creation: number }): boolean;
  connectionUp(conn: SimConnection, side: Side): void;
  connectionDown(conn: SimConnection, side: Side, reason: DisconnectReason): void;
  /** The connection failed before it came up (a dial waiting on it fails). */
  connectionFailed(conn: SimConnection, side: Side, error: Error): void;
  deliver(conn: SimConnection, side: Side, frame: DistFrame): void;
  /** A dial of this end to `name` waited for a partition to heal: it may go on. */
  healed(name: string, since: number): void;
}

interface Batch {
  readonly event: number;
  readonly frames: DistFrame[];
  /** Runs at delivery before the frames (the handshake's ack, which travels with the acceptor's first frames). */
  readonly before?: () => void;
}

/** What a connection shares with the rest of the simulated network. */
export interface NetworkContext {
  readonly clock: VirtualClock;
  readonly model: LinkModel;
  /** Handshake messages sent (4 per connection, as the real handshake: hello, challenge, reply, ack). */
  handshakeMessages: number;
  /** Batches of frames sent (one per connection direction and macrotask). */
  batches: number;
  /** Deliveries scheduled and not yet done. */
  inFlight: number;
  /** Virtual time of the last delivery or connection change. */
  lastActivity: number;
}

/**
 * One simulated connection between two transports: a handshake of four messages (the real one's
 * hello, challenge, challenge reply, challenge ack: the acceptor is up after the third, the
 * dialer after the fourth), then frames in order in each direction, each delayed by the link
 * model and never overtaking an earlier one (TCP). A cut (partition) drops what is in flight and
 * takes both ends down at once; a close by one end reaches the other after what it sent.
 */
export class SimConnection {
  readonly up: [boolean, boolean] = [false, false];
  readonly closed: [boolean, boolean] = [false, false];
  /** Nothing more is delivered (cut, or the handshake failed). */
  dead = false;
  private readonly last: [number, number] = [0, 0];
  /** Per direction, the batch being filled in the current macrotask (the clock's event number). */
  private readonly batches: [Batch | null, Batch | null] = [null, null];

  constructor(
    private readonly ctx: NetworkContext,
    readonly ends: readonly [ConnectionEnd, ConnectionEnd],
  ) {}

  peerOf(side: Side): ConnectionEnd {
    return this.ends[side === 0 ? 1 : 0];
  }

  /** Is this end up, or still shaking hands (neither failed nor closed)? */
  usable(side: Side): boolean {
    return !this.dead && !this.closed[side];
  }

  /** The dialer starts the handshake. */
  start(): void {
    this.handshake(0, () => this.onHello());
  }

  /**
   * A frame from `from`'s end to the other, in order behind what that end sent before. Frames sent
   * in one macrotask travel as one batch and are delivered in one macrotask, as the real engine
   * batches them (one message per peer per turn of the event loop).
   */
  send(from: Side, frame: DistFrame): void {
    const open = this.batches[from];
    if (open !== null && open.event === this.ctx.clock.events) {
      open.frames.push(frame);
      return;
    }
    this.ctx.batches++;
    this.openBatch(from, [frame]);
  }

  private openBatch(from: Side, frames: DistFrame[], before?: () => void): void {
    const batch: Batch = { event: this.ctx.clock.events, frames, ...(before !== undefined ? { before } : {}) };
    this.batches[from] = batch;
    const to: Side = from === 0 ? 1 : 0;
    this.transmit(from, () => {
      if (this.batches[from] === batch) this.batches[from] = null;
      batch.before?.();
      for (const f of batch.frames) if (this.up[to]) this.ends[to].deliver(this, to, f);
    });
  }

  /** `side` closes its end (disconnect): down at once there, `peer_closed` at the other end after what was sent. */
  close(side: Side): void {
    if (this.closed[side]) return;
    this.closed[side] = true;
    const other: Side = side === 0 ? 1 : 0;
    if (!this.up[side] && !this.up[other]) {
      this.fail(new Error('connection closed during the handshake'));
      return;
    }
    this.down(side, { kind: 'closed' });
    this.transmit(side, () => this.down(other, { kind: 'peer_closed' }));
  }

  /** The network cuts the connection (partition, a node killed): both ends down at once, nothing more delivered. */
  cut(): void {
    if (this.dead) return;
    const handshaking = !this.up[0];
    this.dead = true;
    this.down(0, { kind: 'peer_closed' });
    this.down(1, { kind: 'peer_closed' });
    if (handshaking) this.failEnds(new Error('connection cut during the handshake'));
  }

  /** Take `side`'s end down (if it is up). */
  down(side: Side, reason: DisconnectReason): void {
    if (!this.up[side]) return;
    this.up[side] = false;
    this.closed[side] = true;
    this.ctx.lastActivity = this.ctx.clock.now;
    this.ends[side].connectionDown(this, side, reason);
  }

  // ---- the handshake ----

  private onHello(): void {
    const [dialer, acceptor] = this.ends;
    if (!acceptor.accepts({ name: dialer.name, hidden: dialer.hidden, creation: dialer.creation })) {
      this.handshake(1, () => this.fail(new Error(`${acceptor.name} refused the connection`)));
      return;
    }
    this.handshake(1, () => this.handshake(0, () => this.onReply()));
  }

  private onReply(): void {
    // The ack leaves with what the acceptor sends in this turn once it is up (one message, as the
    // real engine's ack and the first batch), so the dialer is up before those frames arrive.
    this.ctx.handshakeMessages++;
    this.openBatch(1, [], () => this.onAck());
    this.up[1] = true;
    this.ends[1].connectionUp(this, 1);
  }

  private onAck(): void {
    if (this.closed[0]) return;
    this.up[0] = true;
    this.ends[0].connectionUp(this, 0);
  }

  private fail(error: Error): void {
    if (this.dead) return;
    this.dead = true;
    this.failEnds(error);
  }

  private failEnds(error: Error): void {
    this.ends[0].connectionFailed(this, 0, error);
    this.ends[1].connectionFailed(this, 1, error);
  }

  private handshake(from: Side, then: () => void): void {
    this.ctx.handshakeMessages++;
    this.transmit(from, then);
  }

  private transmit(from: Side, then: () => void): void {
    const ctx = this.ctx;
    const at = Math.max(ctx.clock.now + ctx.model.delay(), this.last[from]);
    this.last[from] = at;
    ctx.inFlight++;
    ctx.clock.scheduleAt(at, () => {
      ctx.inFlight--;
      if (this.dead) return;
      ctx.lastActivity = ctx.clock.now;
      then();
    });
  }
}
