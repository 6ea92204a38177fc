import {
  HandshakeError,
  PROTOCOL_VERSION,
  PeerOverloadError,
  UnresolvableNodeError,
  type DistFrame,
  type Frame,
  type HelloFrame,
  type NodeName,
  type RefuseFrame,
} from '@sdnode/wire';
import type { DisconnectReason, NodeResolver, TransportLogger, TransportOptions, TransportStats } from '../transport.js';
import { challengeDigest, randomNonce } from '../handshake-digest.js';
import { RateLimitedLog } from '../rate-limited-log.js';
import { AttemptFailures } from './attempt-failures.js';
import type { Carrier } from './carrier.js';
import { Connection } from './connection.js';
import { isDistKind } from './connection-state.js';
import type { EngineLimits } from './engine-options.js';
import type { FrameFormat, StreamDecoder } from './frame-format.js';
import { HandshakeProtocol, type HandshakeHost } from './handshake-protocol.js';
import type { OrderedEmitter } from './ordered-emitter.js';
import { OutboundWriter } from './outbound-writer.js';
import { PeerTable, type PeerSlot } from './peer-table.js';
import { RefusalDialer, REFUSE_FLUSH_MS } from './refusal-dialer.js';
import type { LivenessChannel } from './liveness-channel.js';
import { TickJudge } from './tick-judge.js';

/** What the connection manager needs from the transport that owns it. */
export interface ManagerContext {
  readonly name: NodeName;
  readonly creation: number;
  readonly hidden: boolean;
  readonly cookie: string;
  readonly limits: EngineLimits;
  readonly format: FrameFormat;
  readonly logger: TransportLogger;
  readonly resolver: NodeResolver;
  readonly accept: TransportOptions['accept'];
  readonly events: OrderedEmitter;
  readonly stats: TransportStats;
  carrier(): Carrier;
  listen(): Promise<string>;
  address(): string | undefined;
  isStopped(): boolean;
  /** The liveness side-channel, when this node runs one (option maxUnresponsive). */
  liveness(): LivenessChannel | undefined;
}

/**
 * The lifecycle of connections (docs/protocols/handshake.md): starting attempts as initiator or
 * acceptor, bringing them up (epochs, held frames, waiters), taking them down (nodedown, final
 * REFUSE{closed}), failing attempts (connectfailed), ticks and liveness, and delivering frames.
 * It is the host of the HandshakeProtocol, which decides on inbound handshake frames.
 */
export class ConnectionManager implements HandshakeHost {
  readonly table = new PeerTable();
  readonly writer: OutboundWriter;
  readonly protocol: HandshakeProtocol;
  /** The rules of a tick check: silence, stalls of this node, peers vouching that they are busy. */
  readonly ticks: TickJudge;
  /** The handshake deadline and the attempts that end before they come up. */
  readonly attempts: AttemptFailures;
  readonly name: NodeName;
  readonly creation: number;
  readonly hidden: boolean;
  readonly cookie: string;
  readonly stats: TransportStats;
  readonly format: FrameFormat;
  readonly maxMessageBytes: number;
  readonly logger: TransportLogger;
  private readonly limits: EngineLimits;
  readonly events: OrderedEmitter;
  private readonly resolver: NodeResolver;
  private readonly badLog: RateLimitedLog;
  private readonly refusals: RefusalDialer;
  private epochs = 0;

  constructor(private readonly ctx: ManagerContext) {
    this.name = ctx.name;
    this.creation = ctx.creation;
    this.hidden = ctx.hidden;
    this.cookie = ctx.cookie;
    this.stats = ctx.stats;
    this.format = ctx.format;
    this.limits = ctx.limits;
    this.maxMessageBytes = ctx.limits.maxMessageBytes;
    this.logger = ctx.logger;
    this.events = ctx.events;
    this.resolver = ctx.resolver;
    this.badLog = new RateLimitedLog(ctx.logger);
    this.refusals = new RefusalDialer(ctx.format, ctx.logger, () => ctx.carrier(), Math.min(2_000, ctx.limits.handshakeTimeout), () => this.writer.delay);
    this.writer = new OutboundWriter({
      format: ctx.format,
      stats: ctx.stats,
      maxBatchBytes: ctx.limits.maxBatchBytes,
      onWriteFailed: (conn, error) => this.onStreamLost(conn, error),
    });
    this.attempts = new AttemptFailures(this);
    this.protocol = new HandshakeProtocol(this);
    this.ticks = new TickJudge(ctx.limits, ctx.logger, ctx.name);
  }

  isStopped(): boolean {
    return this.ctx.isStopped();
  }

  accepts(peer: { name: NodeName; hidden: boolean; creation: number }): boolean {
    try {
      return this.ctx.accept === undefined || this.ctx.accept(peer);
    } catch (err) {
      this.logger.error({ err, peer: peer.name }, 'accept policy threw; refusing');
      return false;
    }
  }

  badInput(error: Error, context: Record<string, unknown>): void {
    this.stats.badFrames++;
    this.badLog.warn({ ...context, node: this.name, ...describeInputError(error) }, 'bad input dropped');
  }

  refused(error: Error, context: Record<string, unknown>): void {
    this.stats.handshakesRefused++;
    this.badLog.warn({ ...context, node: this.name, ...describeInputError(error) }, 'handshake refused');
  }

  refuseBack(hello: HelloFrame, reason: RefuseFrame['reason']): void {
    if (!this.isStopped()) this.refusals.refuse(hello, reason);
  }

  startInitiator(name: NodeName, slot: PeerSlot, address: string | undefined, timeout: number, perStep = true): boolean {
    const target = address ?? this.resolver.resolve(name);
    if (target === undefined) {
      this.failPeer(slot, new UnresolvableNodeError(name), name);
      return false;
    }
    const conn = new Connection('initiator', name, target, randomNonce(), this.format.newEncoder(this.maxMessageBytes));
    slot.pending = conn;
    this.table.addSession(conn);
    this.attempts.startHandshakeTimer(conn, timeout);
    conn.handshakePerStep = perStep;
    this.ctx.listen().then(
      (own) => {
        if (conn.state !== 'connecting') return;
        const hello: HelloFrame = {
          kind: 'hello',
          version: PROTOCOL_VERSION,
          name: this.name,
          creation: this.creation,
          flags: { hidden: this.hidden },
          address: own,
          challenge: conn.challenge,
          session: conn.session,
        };
        this.enqueue(conn, hello);
        this.dial(conn, Date.now() + timeout);
      },
      (error: unknown) => this.failAttempt(conn, error instanceof Error ? error : new Error(String(error))),
    );
    return true;
  }

  newAcceptor(hello: HelloFrame, streamId: string, decoder: StreamDecoder): Connection {
    const conn = new Connection('acceptor', hello.name, hello.address, hello.session, this.format.newEncoder(this.maxMessageBytes));
    conn.peerCreation = hello.creation;
    conn.peerHidden = hello.flags.hidden;
    this.table.bindStream(streamId, conn);
    conn.decoder = decoder;
    this.table.ensure(hello.name).pending = conn;
    this.attempts.startHandshakeTimer(conn, this.limits.handshakeTimeout);
    this.enqueue(conn, {
      kind: 'challenge',
      version: PROTOCOL_VERSION,
      name: this.name,
      creation: this.creation,
      flags: { hidden: this.hidden },
      address: this.ctx.address()!,
      session: hello.session,
      digest: challengeDigest(this.cookie, this.name, hello.name, hello.challenge),
      challenge: conn.challenge,
    });
    this.dial(conn, Date.now() + this.limits.handshakeTimeout);
    return conn;
  }

  private dial(conn: Connection, deadline: number): void {
    this.ctx.carrier()
      .dial(conn.peerAddress, {
        node: conn.peerName,
        deadline,
        signal: conn.dialAbort.signal,
        onClosed: (stream) => {
          if (conn.stream === stream) this.onStreamLost(conn, undefined);
        },
      })
      .then(
        (stream) => {
          if (conn.state === 'down' && conn.closeAfterDrainMs === undefined) {
            stream.close();
            return;
          }
          conn.stream = stream;
          this.writer.pump(conn);
        },
        (error: unknown) => this.failAttempt(conn, error instanceof Error ? error : new Error(String(error))),
      );
  }

  onStreamLost(conn: Connection, error: unknown): void {
    conn.stream = undefined;
    this.stats.framesDropped += this.writer.dropHeld(conn);
    if (conn.state === 'up') this.takeDown(conn, { kind: 'peer_closed' });
    else if (conn.isPending) this.failAttempt(conn, new HandshakeError(conn.peerName, `connection lost during the handshake${error instanceof Error ? `: ${error.message}` : ''}`));
  }

  /** Both sides authenticated: the connection is up. An older up connection to the same peer goes down first. */
  goUp(conn: Connection): void {
    const slot = this.table.ensure(conn.peerName);
    const old = slot.up;
    if (old !== undefined && old !== conn) {
      this.takeDown(old, old.peerCreation !== conn.peerCreation ? { kind: 'replaced' } : { kind: 'peer_closed' });
    }
    if (!conn.moveTo('up')) return;
    if (conn.handshakeTimer !== undefined) clearTimeout(conn.handshakeTimer);
    conn.handshakeTimer = undefined;
    conn.epoch = ++this.epochs;
    conn.info = Object.freeze({
      name: conn.peerName,
      creation: conn.peerCreation,
      hidden: conn.peerHidden,
      address: conn.peerAddress,
      epoch: conn.epoch,
    });
    conn.lastReceived = conn.lastSent = Date.now();
    this.table.markUp(conn);
    slot.up = conn;
    if (slot.pending === conn) slot.pending = undefined;
    this.resolver.learn(conn.peerName, conn.peerAddress);
    if (conn.role === 'acceptor') this.enqueue(conn, { kind: 'challenge_ack', session: conn.session });
    const held = slot.held;
    slot.held = [];
    slot.heldBytes = 0;
    for (const frame of held) this.enqueue(conn, frame);
    this.logger.info(conn.describe(), 'connection up');
    this.events.emit('nodeup', conn.info);
    for (const waiter of [...slot.waiters]) waiter.resolve(conn.info);
  }

  /**
   * An up (or pending) connection goes down. On disconnect() (`notifyPeer`), tick timeout and
   * protocol error a final REFUSE{closed} tells the peer, whose Router cannot see our stream
   * close; otherwise (peer gone, overload, replaced, close()) the stream closes at once.
   */
  takeDown(conn: Connection, reason: DisconnectReason, notifyPeer = false): void {
    if (conn.state !== 'up') {
      if (conn.isPending) this.failAttempt(conn, new HandshakeError(conn.peerName, reason.kind));
      return;
    }
    conn.moveTo('down');
    conn.stopTimers();
    this.table.unbind(conn);
    this.stats.framesDropped += conn.queue.clear() + this.writer.dropHeld(conn);
    // Tell the peer, whose Router cannot see our stream close, unless the stream is gone or stuck.
    const sayClosed = notifyPeer || reason.kind === 'tick_timeout' || reason.kind === 'protocol_error';
    this.closeStream(conn, sayClosed ? 'closed' : undefined);
    const slot = this.table.ensure(conn.peerName);
    if (slot.up === conn) slot.up = undefined;
    this.table.release(conn.peerName);
    const log = reason.kind === 'closed' ? this.logger.info : this.logger.warn;
    log.call(this.logger, { ...conn.describe(), reason }, 'connection down');
    this.events.emit('nodedown', conn.info!, reason);
  }

  handshakeProgressed(conn: Connection): void {
    this.attempts.restartHandshakeTimer(conn);
  }

  /** A connection attempt failed before it came up (AttemptFailures.failAttempt). */
  failAttempt(conn: Connection, error: Error, refuse?: RefuseFrame['reason']): void {
    this.attempts.failAttempt(conn, error, refuse);
  }

  /** Reject the waiters and drop the held frames of a peer that could not be reached. */
  failPeer(slot: PeerSlot | undefined, error: Error, name: NodeName): void {
    this.attempts.failPeer(slot, error, name);
  }

  /** Drop a pending attempt silently: a newer one takes its place (AttemptFailures.abandon). */
  abandon(conn: Connection): void {
    this.attempts.abandon(conn);
  }

  /** Close the connection's stream, after a final REFUSE of this reason when one is given. */
  closeStream(conn: Connection, finalRefuse: RefuseFrame['reason'] | undefined): void {
    if (finalRefuse === undefined) {
      conn.dialAbort.abort();
      conn.stream?.close();
      conn.stream = undefined;
      return;
    }
    // Say why before closing; if the stream is still being dialed, the dial (bounded by its
    // deadline) completes, the writer sends the REFUSE and closes the stream.
    this.enqueue(conn, { kind: 'refuse', session: conn.session, reason: finalRefuse });
    conn.closeAfterDrainMs = REFUSE_FLUSH_MS;
    if (conn.stream !== undefined) this.writer.pump(conn);
  }

  overload(conn: Connection, queuedBytes: number): void {
    const error = new PeerOverloadError(conn.peerName, queuedBytes, this.limits.maxQueueBytes);
    this.stats.overloads++;
    this.logger.error({ ...conn.describe(), err: error }, 'outbound queue bound exceeded, dropping the connection');
    this.takeDown(conn, { kind: 'overload', queuedBytes });
  }

  enqueue(conn: Connection, frame: Frame): void {
    const chunk = conn.encoder.encode(frame);
    conn.queue.push(chunk, conn.encoder.size(chunk));
    if (conn.stream !== undefined) this.writer.schedule(conn);
  }

  /** Deliver the frames of an up connection from index `from` (the receive hot path). */
  deliver(conn: Connection, frames: readonly Frame[], from: number, end = frames.length): void {
    const info = conn.info!;
    const events = this.events;
    for (let i = from; i < end; i++) {
      const frame = frames[i]!;
      if (isDistKind(frame.kind)) {
        events.emitFrame(info, frame as DistFrame);
      } else {
        this.protocol.handleFrame(conn, frame);
      }
      if (conn.state !== 'up') return;
    }
  }

  /** A tick check (TickJudge): send TICK on idle connections, take down the silent ones. */
  tick(): void {
    if (this.ctx.isStopped()) return;
    const now = Date.now();
    const up = [...this.table.up()];
    const liveness = this.ctx.liveness();
    liveness?.update(now, up);
    const { silent, idle } = this.ticks.review(now, up, liveness);
    for (const conn of silent) this.takeDown(conn, { kind: 'tick_timeout' });
    for (const conn of idle) if (conn.state === 'up') this.enqueue(conn, { kind: 'tick' });
  }

  /** Drop every connection and attempt without a word (the node was killed). */
  haltAll(): void {
    this.writer.cancel();
    for (const [name, slot] of [...this.table.allSlots()]) {
      for (const conn of [slot.pending, slot.up]) {
        if (conn === undefined) continue;
        conn.state = 'down';
        conn.stopTimers();
        conn.dialAbort.abort();
        conn.queue.clear();
        this.writer.dropHeld(conn);
        conn.stream = undefined;
        this.table.unbind(conn);
      }
      slot.up = slot.pending = undefined;
      slot.held = [];
      slot.heldBytes = 0;
      slot.waiters.clear();
      this.table.release(name);
    }
  }
}

/** Bad input is the peer's fault, not ours: log its code and message, without our stack trace. */
function describeInputError(error: Error): { code?: string; error: string } {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? { code, error: error.message } : { error: error.message };
}
