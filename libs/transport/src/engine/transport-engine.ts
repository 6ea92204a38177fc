import {
  AbortedError,
  FrameTooLargeError,
  HandshakeError,
  InvalidArgumentError,
  NodeStoppedError,
  PeerOverloadError,
  PROTOCOL_VERSION,
  TimeoutError,
  UnresolvableNodeError,
  isValidNodeName,
  type DistFrame,
  type Frame,
  type HelloFrame,
  type NodeName,
  type RefuseFrame,
} from '@sdnode/wire';
import type {
  ConnectOptions,
  DisconnectReason,
  NodeResolver,
  PeerInfo,
  Transport,
  TransportEvents,
  TransportLogger,
  TransportOptions,
  TransportStats,
} from '../transport.js';
import { challengeDigest, randomNonce } from '../handshake-digest.js';
import { RateLimitedLog, silentLogger } from '../rate-limited-log.js';
import { StaticResolver } from '../static-resolver.js';
import { emptyStats } from '../transport-stats.js';
import type { Carrier, CarrierSink } from './carrier.js';
import { Connection } from './connection.js';
import { isDistKind } from './connection-state.js';
import { resolveLimits, newCreation, type EngineLimits } from './engine-options.js';
import type { FrameFormat, StreamDecoder, StreamEncoder } from './frame-format.js';
import { HandshakeProtocol, type HandshakeHost } from './handshake-protocol.js';
import { OrderedEmitter } from './ordered-emitter.js';
import { OutboundWriter } from './outbound-writer.js';
import { PeerTable, type PeerSlot, type Waiter } from './peer-table.js';

/** How long a stream that carries a final REFUSE stays open to let it leave (ms). */
const REFUSE_FLUSH_MS = 1_000;
/** At most this many dial-backs that only carry a REFUSE at once (they cost an outbound connect each). */
const MAX_REFUSALS_IN_FLIGHT = 8;

/**
 * The transport logic shared by ZmqTransport and MemoryTransport: peers, connection attempts and
 * epochs, the handshake (with HandshakeProtocol), ticks, batching and backpressure. Subclasses
 * provide the Carrier that moves payloads.
 */
export abstract class TransportEngine implements Transport, CarrierSink {
  readonly name: NodeName;
  readonly creation: number;
  readonly hidden: boolean;
  protected abstract readonly carrier: Carrier;
  protected readonly limits: EngineLimits;
  protected readonly logger: TransportLogger;
  private readonly cookie: string;
  private readonly resolver: NodeResolver;
  private readonly acceptPolicy: TransportOptions['accept'];
  private readonly badLog: RateLimitedLog;
  private readonly events: OrderedEmitter;
  private readonly table = new PeerTable();
  private readonly counters: TransportStats = emptyStats();
  private readonly writer: OutboundWriter;
  private readonly protocol: HandshakeProtocol;
  /** Encodes frames held before a connection is up, only to check them (never sent). */
  private readonly probe: StreamEncoder;
  private epochs = 0;
  private advertised: string | undefined;
  private listening: Promise<string> | undefined;
  private stopped = false;
  private closing: Promise<void> | undefined;
  private tickTimer: NodeJS.Timeout | undefined;
  private timersSuspended = false;
  private refusalsInFlight = 0;

  constructor(
    options: TransportOptions,
    private readonly format: FrameFormat,
    maxBatchBytes?: number,
  ) {
    this.limits = resolveLimits(options, maxBatchBytes);
    this.name = options.name;
    this.cookie = options.cookie;
    this.creation = options.creation ?? newCreation();
    this.hidden = options.hidden ?? false;
    this.resolver = options.resolver ?? new StaticResolver();
    this.acceptPolicy = options.accept;
    this.logger = options.logger ?? silentLogger;
    this.badLog = new RateLimitedLog(this.logger);
    this.events = new OrderedEmitter(this.logger);
    this.probe = format.newEncoder();
    this.writer = new OutboundWriter({
      format,
      stats: this.counters,
      maxBatchBytes: this.limits.maxBatchBytes,
      onWriteFailed: (conn, error) => this.onStreamLost(conn, error),
    });
    this.protocol = new HandshakeProtocol(this.handshakeHost());
  }

  get address(): string | undefined {
    return this.advertised;
  }

  listen(): Promise<string> {
    if (this.stopped) return Promise.reject(new NodeStoppedError(this.name));
    this.listening ??= this.carrier.listen().then(
      (address) => {
        this.advertised = address;
        this.startTicker();
        this.logger.info({ node: this.name, address }, 'transport listening');
        return address;
      },
      (error: unknown) => {
        this.listening = undefined;
        throw error;
      },
    );
    return this.listening;
  }

  connect(name: NodeName, options: ConnectOptions = {}): Promise<PeerInfo> {
    return this.events.api(() => {
      if (this.stopped) return Promise.reject(new NodeStoppedError(this.name));
      if (!isValidNodeName(name) || name === this.name) return Promise.reject(new InvalidArgumentError('node', `cannot connect to "${String(name)}"`));
      const up = this.table.slot(name)?.up;
      if (up !== undefined) return Promise.resolve(up.info!);
      if (options.signal?.aborted) return Promise.reject(new AbortedError(`connect to ${name}`));
      const timeout = options.timeout ?? this.limits.handshakeTimeout;
      return new Promise<PeerInfo>((resolve, reject) => {
        const slot = this.table.ensure(name);
        // A call that starts the attempt is settled by the attempt (its handshake timer fails
        // it); a call that joins an attempt in progress with its own timeout also gets a timer.
        const joining = slot.pending !== undefined;
        const onAbort = (): void => settle(() => reject(new AbortedError(`connect to ${name}`)));
        const timer =
          joining && options.timeout !== undefined
            ? setTimeout(() => settle(() => reject(new TimeoutError(`connect to ${name}`, timeout))), timeout)
            : undefined;
        const waiter: Waiter = {
          resolve: (peer) => settle(() => resolve(peer)),
          reject: (error) => settle(() => reject(error)),
        };
        const settle = (fn: () => void): void => {
          if (!slot.waiters.delete(waiter)) return;
          if (timer !== undefined) clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
          fn();
          this.table.release(name);
        };
        options.signal?.addEventListener('abort', onAbort, { once: true });
        slot.waiters.add(waiter);
        if (!joining) this.startInitiator(name, slot, options.address, timeout);
      });
    });
  }

  send(name: NodeName, frame: DistFrame): boolean {
    const conn = this.table.slot(name)?.up;
    if (conn !== undefined) {
      const chunk = conn.encoder.encode(frame);
      const size = conn.encoder.size(chunk);
      if (size > this.limits.maxMessageBytes) throw new FrameTooLargeError(size, this.limits.maxMessageBytes);
      conn.queue.push(chunk, size);
      if (conn.queue.bytes > this.limits.maxQueueBytes) {
        this.events.api(() => this.overload(conn, conn.queue.bytes));
        return false;
      }
      this.writer.schedule(conn);
      return true;
    }
    return this.events.api(() => this.sendWhileNotUp(name, frame));
  }

  disconnect(name: NodeName): void {
    this.events.api(() => {
      const slot = this.table.slot(name);
      if (slot === undefined) return;
      if (slot.pending !== undefined) this.failAttempt(slot.pending, new AbortedError(`connect to ${name}`));
      if (slot.up !== undefined) this.takeDown(slot.up, { kind: 'closed' }, true);
    });
  }

  peers(): PeerInfo[] {
    return [...this.table.up()].map((c) => c.info!);
  }

  peer(name: NodeName): PeerInfo | undefined {
    return this.table.slot(name)?.up?.info;
  }

  queuedBytes(name: NodeName): number {
    const slot = this.table.slot(name);
    if (slot === undefined) return 0;
    return slot.up !== undefined ? slot.up.queue.bytes : slot.heldBytes;
  }

  stats(): TransportStats {
    return { ...this.counters };
  }

  on<E extends keyof TransportEvents>(event: E, listener: (...args: TransportEvents[E]) => void): this {
    this.events.on(event, listener);
    return this;
  }

  off<E extends keyof TransportEvents>(event: E, listener: (...args: TransportEvents[E]) => void): this {
    this.events.off(event, listener);
    return this;
  }

  close(): Promise<void> {
    this.closing ??= this.events.api(() => {
      this.stopped = true;
      this.stopTicker();
      for (const [, slot] of [...this.table.allSlots()]) {
        if (slot.pending !== undefined) this.failAttempt(slot.pending, new NodeStoppedError(this.name));
        if (slot.up !== undefined) this.takeDown(slot.up, { kind: 'closed' });
        this.failPeer(slot.up === undefined ? slot : undefined, new NodeStoppedError(this.name), '');
      }
      this.writer.cancel();
      this.logger.info({ node: this.name }, 'transport closed');
      return this.carrier.close();
    });
    return this.closing;
  }

  /** CarrierSink: a payload arrived on an inbound stream. */
  inbound(streamId: string, payload: unknown, bytes: number): void {
    this.protocol.inbound(streamId, payload, bytes);
  }

  /** Stop at once without a word to anyone (the node was killed): no events, no frames. */
  protected halt(): void {
    this.stopped = true;
    this.stopTicker();
    this.writer.cancel();
    for (const [name, slot] of [...this.table.allSlots()]) {
      for (const conn of [slot.pending, slot.up]) {
        if (conn === undefined) continue;
        conn.state = 'down';
        conn.stopTimers();
        conn.dialAbort.abort();
        conn.queue.clear();
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

  /** Pause (true) or resume the tick and liveness timers (a frozen in-memory node). */
  protected suspendTimers(suspended: boolean): void {
    this.timersSuspended = suspended;
    if (!suspended) {
      const now = Date.now();
      for (const conn of this.table.up()) conn.lastReceived = now;
    }
  }

  // ---- connection attempts ----

  private startInitiator(name: NodeName, slot: PeerSlot, address: string | undefined, timeout: number): boolean {
    const target = address ?? this.resolver.resolve(name);
    if (target === undefined) {
      this.failPeer(slot, new UnresolvableNodeError(name), name);
      return false;
    }
    const conn = new Connection('initiator', name, target, randomNonce(), this.format.newEncoder());
    slot.pending = conn;
    this.table.addSession(conn);
    this.startHandshakeTimer(conn, timeout);
    this.listen().then(
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

  private newAcceptor(hello: HelloFrame, streamId: string, decoder: StreamDecoder): Connection {
    const conn = new Connection('acceptor', hello.name, hello.address, hello.session, this.format.newEncoder());
    conn.peerCreation = hello.creation;
    conn.peerHidden = hello.flags.hidden;
    this.table.bindStream(streamId, conn);
    conn.decoder = decoder;
    this.table.ensure(hello.name).pending = conn;
    this.startHandshakeTimer(conn, this.limits.handshakeTimeout);
    this.enqueue(conn, {
      kind: 'challenge',
      version: PROTOCOL_VERSION,
      name: this.name,
      creation: this.creation,
      flags: { hidden: this.hidden },
      address: this.advertised!,
      session: hello.session,
      digest: challengeDigest(this.cookie, this.name, hello.name, hello.challenge),
      challenge: conn.challenge,
    });
    this.dial(conn, Date.now() + this.limits.handshakeTimeout);
    return conn;
  }

  private dial(conn: Connection, deadline: number): void {
    this.carrier
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
          void this.writer.pump(conn);
        },
        (error: unknown) => this.failAttempt(conn, error instanceof Error ? error : new Error(String(error))),
      );
  }

  private startHandshakeTimer(conn: Connection, timeout: number): void {
    conn.handshakeTimer = setTimeout(() => {
      conn.handshakeTimer = undefined;
      this.failAttempt(conn, new TimeoutError(`handshake with ${conn.peerName}`, timeout));
    }, timeout);
  }

  private onStreamLost(conn: Connection, error: unknown): void {
    conn.stream = undefined;
    if (conn.state === 'up') this.takeDown(conn, { kind: 'peer_closed' });
    else if (conn.isPending) this.failAttempt(conn, new HandshakeError(conn.peerName, `connection lost during the handshake${error instanceof Error ? `: ${error.message}` : ''}`));
  }

  /** Both sides authenticated: the connection is up. An older up connection to the same peer goes down first. */
  private goUp(conn: Connection): void {
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
  private takeDown(conn: Connection, reason: DisconnectReason, notifyPeer = false): void {
    if (conn.state !== 'up') {
      if (conn.isPending) this.failAttempt(conn, new HandshakeError(conn.peerName, reason.kind));
      return;
    }
    conn.moveTo('down');
    conn.stopTimers();
    this.table.unbind(conn);
    this.counters.framesDropped += conn.queue.clear();
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

  /**
   * A connection attempt failed before it came up. Unless an up connection remains, the connect()
   * calls waiting for the peer are rejected and the held frames dropped (`connectfailed`).
   */
  private failAttempt(conn: Connection, error: Error, refuse?: RefuseFrame['reason']): void {
    if (!conn.isPending) return;
    conn.moveTo('down');
    conn.stopTimers();
    this.table.unbind(conn);
    conn.queue.clear();
    this.closeStream(conn, refuse);
    const slot = this.table.ensure(conn.peerName);
    if (slot.pending === conn) {
      slot.pending = undefined;
      this.logger.warn({ ...conn.describe(), err: error }, 'connection attempt failed');
      if (slot.up === undefined && (conn.role === 'initiator' || slot.waiters.size > 0 || slot.held.length > 0)) {
        this.failPeer(slot, error, conn.peerName);
      }
    }
    this.table.release(conn.peerName);
  }

  /** Reject the waiters and drop the held frames of a peer that could not be reached. */
  private failPeer(slot: PeerSlot | undefined, error: Error, name: NodeName): void {
    if (slot === undefined) return;
    this.counters.framesDropped += slot.held.length;
    slot.held = [];
    slot.heldBytes = 0;
    for (const waiter of [...slot.waiters]) waiter.reject(error);
    if (name !== '') this.events.emit('connectfailed', name, error);
  }

  /** Drop a pending attempt silently: a newer one takes its place (simultaneous connect, newer HELLO). */
  private abandon(conn: Connection): void {
    if (!conn.isPending) return;
    conn.moveTo('down');
    conn.stopTimers();
    this.table.unbind(conn);
    conn.queue.clear();
    this.closeStream(conn, undefined);
    const slot = this.table.slot(conn.peerName);
    if (slot?.pending === conn) slot.pending = undefined;
  }

  private closeStream(conn: Connection, finalRefuse: RefuseFrame['reason'] | undefined): void {
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
    if (conn.stream !== undefined) void this.writer.pump(conn);
  }

  private overload(conn: Connection, queuedBytes: number): void {
    const error = new PeerOverloadError(conn.peerName, queuedBytes, this.limits.maxQueueBytes);
    this.counters.overloads++;
    this.logger.error({ ...conn.describe(), err: error }, 'outbound queue bound exceeded, dropping the connection');
    this.takeDown(conn, { kind: 'overload', queuedBytes });
  }

  /** send() to a peer that is not up: check the frame, hold it and connect if needed. */
  private sendWhileNotUp(name: NodeName, frame: DistFrame): boolean {
    if (this.stopped) {
      this.counters.framesDropped++;
      return false;
    }
    if (!isValidNodeName(name) || name === this.name) throw new InvalidArgumentError('node', `cannot send to "${String(name)}"`);
    const size = this.probe.size(this.probe.encode(frame));
    if (size > this.limits.maxMessageBytes) throw new FrameTooLargeError(size, this.limits.maxMessageBytes);
    const slot = this.table.ensure(name);
    if (slot.pending === undefined && !this.startInitiator(name, slot, undefined, this.limits.handshakeTimeout)) {
      this.counters.framesDropped++;
      this.table.release(name);
      return false;
    }
    if (slot.heldBytes + size > this.limits.maxQueueBytes) {
      this.counters.framesDropped++;
      this.counters.overloads++;
      this.failAttempt(slot.pending!, new PeerOverloadError(name, slot.heldBytes + size, this.limits.maxQueueBytes));
      return false;
    }
    slot.held.push(frame);
    slot.heldBytes += size;
    return true;
  }

  private enqueue(conn: Connection, frame: Frame): void {
    const chunk = conn.encoder.encode(frame);
    conn.queue.push(chunk, conn.encoder.size(chunk));
    if (conn.stream !== undefined) this.writer.schedule(conn);
  }

  /** Deliver the frames of an up connection from index `from` (the receive hot path). */
  private deliver(conn: Connection, frames: readonly Frame[], from: number): void {
    const info = conn.info!;
    const events = this.events;
    for (let i = from; i < frames.length; i++) {
      const frame = frames[i]!;
      if (isDistKind(frame.kind)) {
        if (events.canEmitDirectly) events.deliver('frame', [info, frame]);
        else events.emit('frame', info, frame as DistFrame);
      } else {
        this.protocol.handleFrame(conn, frame);
      }
      if (conn.state !== 'up') return;
    }
  }

  /** Dial a refused initiator back only to tell it why (bounded: each costs a connect). */
  private refuseBack(hello: HelloFrame, reason: RefuseFrame['reason']): void {
    if (this.refusalsInFlight >= MAX_REFUSALS_IN_FLIGHT || this.stopped) return;
    this.refusalsInFlight++;
    const abort = new AbortController();
    const encoder = this.format.newEncoder();
    const payload = this.format.batch([encoder.encode({ kind: 'refuse', session: hello.session, reason })]);
    this.carrier
      .dial(hello.address, { node: hello.name, deadline: Date.now() + Math.min(2_000, this.limits.handshakeTimeout), signal: abort.signal, onClosed: () => {} })
      .then(async (stream) => {
        try {
          await stream.write(payload);
        } finally {
          stream.close(REFUSE_FLUSH_MS);
        }
      })
      .catch((error: unknown) => this.logger.debug({ peer: hello.name, err: error }, 'could not deliver a refusal'))
      .finally(() => this.refusalsInFlight--);
  }

  // ---- ticks ----

  private startTicker(): void {
    if (this.tickTimer !== undefined || this.stopped) return;
    this.tickTimer = setInterval(() => this.tick(), this.limits.tickInterval);
    this.tickTimer.unref();
  }

  private stopTicker(): void {
    if (this.tickTimer !== undefined) clearInterval(this.tickTimer);
    this.tickTimer = undefined;
  }

  /** Send TICK on idle connections; declare down those silent for netTickTime. */
  private tick(): void {
    if (this.timersSuspended || this.stopped) return;
    const now = Date.now();
    for (const conn of [...this.table.up()]) {
      if (now - conn.lastReceived > this.limits.netTickTime) {
        this.takeDown(conn, { kind: 'tick_timeout' });
      } else if (now - conn.lastSent >= this.limits.tickInterval && conn.queue.length === 0) {
        this.enqueue(conn, { kind: 'tick' });
      }
    }
  }

  // ---- the handshake protocol's view of the engine ----

  private handshakeHost(): HandshakeHost {
    const engine = this;
    return {
      name: this.name,
      creation: this.creation,
      hidden: this.hidden,
      cookie: this.cookie,
      table: this.table,
      stats: this.counters,
      format: this.format,
      maxMessageBytes: this.limits.maxMessageBytes,
      logger: this.logger,
      isStopped: () => engine.stopped,
      accepts: (peer) => {
        try {
          return engine.acceptPolicy === undefined || engine.acceptPolicy(peer);
        } catch (err) {
          engine.logger.error({ err, peer: peer.name }, 'accept policy threw; refusing');
          return false;
        }
      },
      badInput: (error, context) => {
        engine.counters.badFrames++;
        engine.badLog.warn({ ...context, node: engine.name, err: error }, 'bad input dropped');
      },
      refused: (error, context) => {
        engine.counters.handshakesRefused++;
        engine.badLog.warn({ ...context, node: engine.name, err: error }, 'handshake refused');
      },
      deliver: (conn, frames, from) => engine.deliver(conn, frames, from),
      enqueue: (conn, frame) => engine.enqueue(conn, frame),
      newAcceptor: (hello, streamId, decoder) => engine.newAcceptor(hello, streamId, decoder),
      abandon: (conn) => engine.abandon(conn),
      goUp: (conn) => engine.goUp(conn),
      failAttempt: (conn, error, refuse) => engine.failAttempt(conn, error, refuse),
      takeDown: (conn, reason) => engine.takeDown(conn, reason),
      refuseBack: (hello, reason) => engine.refuseBack(hello, reason),
    };
  }
}
