import {
  AbortedError,
  FrameTooLargeError,
  InvalidArgumentError,
  NodeStoppedError,
  PeerOverloadError,
  TimeoutError,
  isValidNodeName,
  type DistFrame,
  type NodeName,
} from '@sdnode/wire';
import type { ConnectOptions, NodeResolver, PeerInfo, Transport, TransportEvents, TransportLogger, TransportOptions, TransportStats } from '../transport.js';
import { silentLogger } from '../rate-limited-log.js';
import { StaticResolver, isLearnableAddress } from '../static-resolver.js';
import { emptyStats } from '../transport-stats.js';
import type { Carrier, CarrierSink } from './carrier.js';
import { ConnectionManager } from './connection-manager.js';
import { resolveLimits, newCreation, type EngineLimits } from './engine-options.js';
import type { FrameFormat, StreamEncoder } from './frame-format.js';
import { OrderedEmitter } from './ordered-emitter.js';
import type { Waiter } from './peer-table.js';
import { LivenessChannel, type LivenessConfig } from './liveness-channel.js';

/** The longest outbound delay (a timer's limit, about 24.8 days). */
export const MAX_OUTBOUND_DELAY_MS = 2 ** 31 - 1;

/**
 * The Transport shared by ZmqTransport and MemoryTransport: the public API, the send hot path,
 * connect() waiters, ticks and the lifecycle of the transport itself. Connections are run by the
 * ConnectionManager and the HandshakeProtocol; subclasses provide the Carrier that moves payloads.
 */
export abstract class TransportEngine implements Transport, CarrierSink {
  readonly name: NodeName;
  readonly creation: number;
  readonly hidden: boolean;
  protected abstract readonly carrier: Carrier;
  protected readonly limits: EngineLimits;
  protected readonly logger: TransportLogger;
  private readonly events: OrderedEmitter;
  private readonly counters: TransportStats = emptyStats();
  private readonly manager: ConnectionManager;
  /** Encodes frames held before a connection is up, only to check them (never sent). */
  private readonly probe: StreamEncoder;
  private advertised: string | undefined;
  private listening: Promise<string> | undefined;
  private stopped = false;
  private closing: Promise<void> | undefined;
  private tickTimer: NodeJS.Timeout | undefined;
  private timersSuspended = false;
  private liveness: LivenessChannel | undefined;
  private readonly livenessConfig: LivenessConfig | undefined;
  private readonly cookie: string;
  private readonly resolver: NodeResolver;

  /**
   * `liveness`: run a liveness side-channel (a worker thread that vouches for this node while its
   * event loop is blocked, up to `maxUnresponsive` ms; docs/protocols/handshake.md, "Ticks").
   */
  constructor(options: TransportOptions, format: FrameFormat, maxBatchBytes?: number, liveness?: LivenessConfig) {
    this.limits = resolveLimits(options, maxBatchBytes);
    this.name = options.name;
    this.creation = options.creation ?? newCreation();
    this.hidden = options.hidden ?? false;
    this.logger = options.logger ?? silentLogger;
    this.events = new OrderedEmitter(this.logger);
    this.probe = format.newEncoder(this.limits.maxMessageBytes);
    this.cookie = options.cookie;
    if (liveness !== undefined && (typeof liveness.maxUnresponsive !== 'number' || !Number.isFinite(liveness.maxUnresponsive) || liveness.maxUnresponsive <= 0)) {
      throw new InvalidArgumentError('maxUnresponsive', `must be a positive number of ms, got ${String(liveness.maxUnresponsive)}`);
    }
    this.livenessConfig = liveness;
    this.resolver = options.resolver ?? new StaticResolver();
    this.manager = new ConnectionManager({
      name: this.name,
      creation: this.creation,
      hidden: this.hidden,
      cookie: options.cookie,
      limits: this.limits,
      format,
      logger: this.logger,
      resolver: this.resolver,
      accept: options.accept,
      events: this.events,
      stats: this.counters,
      carrier: () => this.carrier,
      listen: () => this.listen(),
      address: () => this.advertised,
      isStopped: () => this.stopped,
      liveness: () => this.liveness,
    });
  }

  get address(): string | undefined {
    return this.advertised;
  }

  listen(): Promise<string> {
    if (this.stopped) return Promise.reject(new NodeStoppedError(this.name));
    this.listening ??= this.carrier.listen().then(
      (address) => {
        this.advertised = address;
        this.startLiveness(address);
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
      const up = this.manager.table.slot(name)?.up;
      if (up !== undefined) return Promise.resolve(up.info!);
      if (options.signal?.aborted) return Promise.reject(new AbortedError(`connect to ${name}`));
      const timeout = options.timeout ?? this.limits.handshakeTimeout;
      return new Promise<PeerInfo>((resolve, reject) => {
        const slot = this.manager.table.ensure(name);
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
          this.manager.table.release(name);
        };
        options.signal?.addEventListener('abort', onAbort, { once: true });
        slot.waiters.add(waiter);
        // A call's own timeout bounds the whole attempt; otherwise each step of the handshake has
        // the default one (AttemptFailures).
        if (!joining) this.manager.startInitiator(name, slot, options.address, timeout, options.timeout === undefined);
      });
    });
  }

  send(name: NodeName, frame: DistFrame): boolean {
    const conn = this.manager.table.slot(name)?.up;
    if (conn !== undefined) {
      const encoder = conn.encoder;
      let chunk: unknown;
      let size: number;
      let at = -1;
      if (encoder.encodeChunk !== undefined) {
        // no chunk object per frame: a frame in the encoder's slab is queued as offsets into it
        chunk = encoder.encodeChunk(frame);
        at = encoder.chunkStart!;
        size = at >= 0 ? encoder.chunkEnd! - at : encoder.size(chunk);
      } else {
        chunk = encoder.encode(frame);
        size = encoder.size(chunk);
      }
      if (size > this.limits.maxMessageBytes) throw new FrameTooLargeError(size, this.limits.maxMessageBytes);
      conn.queue.push(chunk, size, at);
      const queued = conn.queue.bytes + conn.delayed.bytes;
      if (queued > this.limits.maxQueueBytes) {
        this.events.api(() => this.manager.overload(conn, queued));
        return false;
      }
      this.manager.writer.schedule(conn);
      return true;
    }
    return this.events.api(() => this.sendWhileNotUp(name, frame));
  }

  learnAddress(name: NodeName, address: string): void {
    if (this.stopped || !isValidNodeName(name) || name === this.name || !isLearnableAddress(address)) return;
    if (this.manager.table.slot(name)?.up !== undefined) return; // the handshake's address stands
    try {
      this.resolver.learn(name, address);
    } catch (err) {
      this.logger.warn({ err, peer: name }, 'the resolver refused a learned address');
    }
  }

  disconnect(name: NodeName): void {
    this.events.api(() => {
      const slot = this.manager.table.slot(name);
      if (slot === undefined) return;
      // REFUSE{closed} tells the peer, which may already be up on its side of this handshake.
      if (slot.pending !== undefined) this.manager.failAttempt(slot.pending, new AbortedError(`connect to ${name}`), 'closed');
      if (slot.up !== undefined) this.manager.takeDown(slot.up, { kind: 'closed' }, true);
    });
  }

  peers(): PeerInfo[] {
    return [...this.manager.table.up()].map((c) => c.info!);
  }

  peer(name: NodeName): PeerInfo | undefined {
    return this.manager.table.slot(name)?.up?.info;
  }

  queuedBytes(name: NodeName): number {
    const slot = this.manager.table.slot(name);
    if (slot === undefined) return 0;
    return slot.up !== undefined ? slot.up.queue.bytes + slot.up.delayed.bytes : slot.heldBytes;
  }

  get outboundDelay(): number {
    return this.manager.writer.delay;
  }

  setOutboundDelay(ms: number): void {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > MAX_OUTBOUND_DELAY_MS) {
      throw new InvalidArgumentError('ms', `an outbound delay must be a number of ms in 0..${MAX_OUTBOUND_DELAY_MS}, got ${String(ms)}`);
    }
    if (ms === this.manager.writer.delay) return;
    this.manager.writer.setDelay(ms);
    this.logger.info({ node: this.name, ms }, ms > 0 ? 'outbound delay set' : 'outbound delay lifted');
  }

  /**
   * When `name`'s liveness thread last vouched for it (ms since the epoch), if this node runs a
   * liveness side-channel and heard from it; for tests and diagnostics.
   */
  lastVouched(name: NodeName): number | undefined {
    return this.liveness?.lastHeard(name);
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
      for (const [, slot] of [...this.manager.table.allSlots()]) {
        if (slot.pending !== undefined) this.manager.failAttempt(slot.pending, new NodeStoppedError(this.name));
        if (slot.up !== undefined) this.manager.takeDown(slot.up, { kind: 'closed' });
        this.manager.failPeer(slot, new NodeStoppedError(this.name), ''); // remaining waiters and held frames
      }
      this.manager.writer.cancel();
      this.logger.info({ node: this.name }, 'transport closed');
      const liveness = this.liveness;
      this.liveness = undefined;
      return Promise.all([this.carrier.close(), liveness?.close()]).then(() => undefined);
    });
    return this.closing;
  }

  /** CarrierSink: a payload arrived on an inbound stream. */
  inbound(streamId: string, payload: unknown, bytes: number): void {
    this.manager.protocol.inbound(streamId, payload, bytes);
  }

  /** CarrierSink: the carrier received something unusable; counted and logged. */
  malformed(streamId: string, error: Error): void {
    this.manager.badInput(error, { streamId });
  }

  /** Stop at once without a word to anyone (the node was killed): no events, no frames. */
  protected halt(): void {
    this.stopped = true;
    this.stopTicker();
    void this.liveness?.close();
    this.liveness = undefined;
    this.manager.haltAll();
  }

  /** Pause (true) or resume the tick and liveness timers (a frozen in-memory node). */
  protected suspendTimers(suspended: boolean): void {
    this.timersSuspended = suspended;
    if (!suspended) {
      const now = Date.now();
      this.manager.ticks.stalls.reset(now);
      for (const conn of this.manager.table.up()) conn.lastReceived = now;
    }
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
    const slot = this.manager.table.ensure(name);
    if (slot.pending === undefined && !this.manager.startInitiator(name, slot, undefined, this.limits.handshakeTimeout)) {
      this.counters.framesDropped++;
      this.manager.table.release(name);
      return false;
    }
    if (slot.heldBytes + size > this.limits.maxQueueBytes) {
      this.counters.framesDropped++;
      this.counters.overloads++;
      this.manager.failAttempt(slot.pending!, new PeerOverloadError(name, slot.heldBytes + size, this.limits.maxQueueBytes));
      return false;
    }
    slot.held.push(frame);
    slot.heldBytes += size;
    return true;
  }

  // ---- ticks ----

  private startLiveness(address: string): void {
    if (this.livenessConfig === undefined || this.liveness !== undefined || this.stopped) return;
    this.liveness = LivenessChannel.start({
      config: this.livenessConfig,
      name: this.name,
      creation: this.creation,
      cookie: this.cookie,
      address,
      interval: this.limits.tickInterval,
      logger: this.logger,
    });
    if (this.liveness === undefined) this.logger.warn({ node: this.name, address }, 'no liveness side-channel: the address is not tcp://host:port');
  }

  private startTicker(): void {
    if (this.tickTimer !== undefined || this.stopped) return;
    this.manager.ticks.stalls.reset(Date.now());
    this.tickTimer = setInterval(() => {
      if (!this.timersSuspended && !this.stopped) this.manager.tick();
    }, this.limits.tickInterval);
    this.tickTimer.unref();
  }

  private stopTicker(): void {
    if (this.tickTimer !== undefined) clearInterval(this.tickTimer);
    this.tickTimer = undefined;
  }
}
