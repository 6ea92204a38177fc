import { EventEmitter } from 'node:events';
import type { ConnectOptions, DisconnectReason, PeerInfo, Transport, TransportEvents, TransportStats } from '@sdnode/transport';
import { emptyStats } from '@sdnode/transport';
import { InvalidArgumentError, NodeStoppedError, TimeoutError, UnresolvableNodeError, type DistFrame, type NodeName } from '@sdnode/wire';
import type { SimConnection, ConnectionEnd, Side } from './sim-connection.js';
import type { SimNetwork } from './sim-network.js';

export interface SimTransportOptions {
  readonly network: SimNetwork;
  readonly name: NodeName;
  readonly creation?: number;
  readonly hidden?: boolean;
  /** How long a dial into a partition waits before it fails, ms (default 7000, the real handshake timeout). */
  readonly handshakeTimeout?: number;
  readonly accept?: (peer: { name: NodeName; hidden: boolean; creation: number }) => boolean;
}

interface Dial {
  /** The connection this dial waits on (null: the dial went into a partition and waits for a heal). */
  conn: SimConnection | null;
  readonly promise: Promise<PeerInfo>;
  readonly resolve: (peer: PeerInfo) => void;
  readonly reject: (error: Error) => void;
}

/**
 * A Transport over a SimNetwork, for the simulator: the interface core's Node uses (connect,
 * send, nodeup / nodedown / frame events, peers), with the handshake, ordering, latency and loss
 * of the simulated network, and none of the real engine's byte work (no encoding, no batches, no
 * ticks: a simulated connection never times out). Frames are handed over as objects.
 */
export class SimTransport implements Transport, ConnectionEnd {
  readonly name: NodeName;
  readonly creation: number;
  readonly hidden: boolean;
  readonly outboundDelay = 0;
  address: string | undefined;
  private readonly network: SimNetwork;
  private readonly emitter = new EventEmitter();
  private readonly up = new Map<NodeName, { conn: SimConnection; side: Side; info: PeerInfo }>();
  private readonly dials = new Map<NodeName, Dial>();
  private readonly held = new Map<NodeName, DistFrame[]>();
  private epoch = 0;
  private closed = false;
  private readonly counters: TransportStats = emptyStats();

  constructor(private readonly options: SimTransportOptions) {
    this.network = options.network;
    this.name = options.name;
    this.creation = options.creation ?? 1;
    this.hidden = options.hidden ?? false;
    this.emitter.setMaxListeners(0);
  }

  listen(): Promise<string> {
    if (this.closed) return Promise.reject(new NodeStoppedError(this.name));
    this.address ??= this.network.attach(this);
    return Promise.resolve(this.address);
  }

  connect(name: NodeName, _options: ConnectOptions = {}): Promise<PeerInfo> {
    if (this.closed) return Promise.reject(new NodeStoppedError(this.name));
    if (name === this.name) return Promise.reject(new InvalidArgumentError('node', 'cannot connect to itself'));
    const peer = this.up.get(name);
    if (peer !== undefined) return Promise.resolve(peer.info);
    const pending = this.dials.get(name);
    if (pending !== undefined) return pending.promise;
    const outcome = this.network.dial(this, name);
    if ('unknown' in outcome) return Promise.reject(new UnresolvableNodeError(name));
    let resolve!: (peer: PeerInfo) => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<PeerInfo>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => undefined);
    const dial: Dial = { conn: 'conn' in outcome ? outcome.conn : null, promise, resolve, reject };
    this.dials.set(name, dial);
    if ('blocked' in outcome) {
      // Like a dial that keeps trying until the handshake timeout (the real carriers retry): it
      // goes through if the partition heals in time.
      this.network.waitForHeal(this, name, this.network.clock.now);
      const timeout = this.options.handshakeTimeout ?? 7000;
      setTimeout(() => {
        if (this.dials.get(name) === dial && dial.conn === null) this.dialFailed(name, new TimeoutError(`connect to ${name}`, timeout));
      }, timeout);
    }
    return promise;
  }

  send(name: NodeName, frame: DistFrame): boolean {
    if (this.closed) return false;
    const peer = this.up.get(name);
    if (peer !== undefined) {
      this.counters.framesSent++;
      peer.conn.send(peer.side, frame);
      return true;
    }
    let held = this.held.get(name);
    if (held === undefined) {
      this.connect(name).catch(() => undefined);
      if (!this.dials.has(name)) {
        this.counters.framesDropped++;
        return false;
      }
      this.held.set(name, (held = []));
    }
    held.push(frame);
    return true;
  }

  disconnect(name: NodeName): void {
    const peer = this.up.get(name);
    if (peer !== undefined) peer.conn.close(peer.side);
  }

  peers(): PeerInfo[] {
    return [...this.up.values()].map((p) => p.info);
  }

  peer(name: NodeName): PeerInfo | undefined {
    return this.up.get(name)?.info;
  }

  queuedBytes(): number {
    return 0;
  }

  setOutboundDelay(ms: number): void {
    if (ms !== 0) throw new InvalidArgumentError('ms', 'the simulated transport models delay in its network');
  }

  stats(): TransportStats {
    return { ...this.counters };
  }

  on<E extends keyof TransportEvents>(event: E, listener: (...args: TransportEvents[E]) => void): this {
    this.emitter.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off<E extends keyof TransportEvents>(event: E, listener: (...args: TransportEvents[E]) => void): this {
    this.emitter.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    for (const p of [...this.up.values()]) p.conn.close(p.side);
    for (const name of [...this.dials.keys()]) this.dialFailed(name, new NodeStoppedError(this.name));
    this.network.detach(this);
    return Promise.resolve();
  }

  /** The partition healed: a dial into it (begun at `since`) that is still waiting tries again now. */
  healed(name: NodeName, since: number): void {
    const dial = this.dials.get(name);
    if (this.closed || dial === undefined || dial.conn !== null) return;
    const outcome = this.network.dial(this, name);
    if ('conn' in outcome) dial.conn = outcome.conn;
    else if ('unknown' in outcome) this.dialFailed(name, new UnresolvableNodeError(name));
    else this.network.waitForHeal(this, name, since);
  }

  // ---- ConnectionEnd ----

  accepts(peer: { name: string; hidden: boolean; creation: number }): boolean {
    if (this.closed) return false;
    const ok = this.options.accept?.(peer) ?? true;
    if (!ok) this.counters.handshakesRefused++;
    return ok;
  }

  connectionUp(conn: SimConnection, side: Side): void {
    const other = conn.peerOf(side);
    if (this.closed) return;
    const info: PeerInfo = { name: other.name, creation: other.creation, hidden: other.hidden, address: other.address ?? '', epoch: ++this.epoch };
    this.up.set(other.name, { conn, side, info });
    if (side === 1) this.network.countUp();
    const dial = this.dials.get(other.name);
    this.dials.delete(other.name);
    dial?.resolve(info);
    // What was held for the peer leaves first, then what nodeup's listeners send.
    const held = this.held.get(other.name);
    this.held.delete(other.name);
    for (const frame of held ?? []) this.send(other.name, frame);
    this.emitter.emit('nodeup', info);
  }

  connectionDown(conn: SimConnection, side: Side, reason: DisconnectReason): void {
    const other = conn.peerOf(side);
    const peer = this.up.get(other.name);
    this.network.release(conn);
    if (peer === undefined || peer.conn !== conn) return;
    this.up.delete(other.name);
    this.emitter.emit('nodedown', peer.info, reason);
  }

  connectionFailed(conn: SimConnection, side: Side, error: Error): void {
    this.network.release(conn);
    const name = conn.peerOf(side).name;
    if (this.dials.get(name)?.conn === conn) this.dialFailed(name, error);
  }

  deliver(conn: SimConnection, side: Side, frame: DistFrame): void {
    const peer = this.up.get(conn.peerOf(side).name);
    if (peer === undefined || peer.conn !== conn) return;
    this.counters.framesReceived++;
    this.emitter.emit('frame', peer.info, frame);
  }

  private dialFailed(name: NodeName, error: Error): void {
    const dial = this.dials.get(name);
    if (dial === undefined) return;
    this.dials.delete(name);
    const held = this.held.get(name);
    this.held.delete(name);
    if (held !== undefined) this.counters.framesDropped += held.length;
    dial.reject(error);
    this.emitter.emit('connectfailed', name, error);
  }
}
