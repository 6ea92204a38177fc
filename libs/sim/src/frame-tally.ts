import type { ConnectOptions, PeerInfo, Transport, TransportEvents, TransportStats } from '@sdnode/transport';
import { TermCodec, type DistFrame, type NodeName } from '@sdnode/wire';

/** Counts keyed by what was sent: `nodes`, `control:<channel>`, `op:<channel>:<op>`, or a frame kind. */
export type Counts = Record<string, number>;

/** s_group INFOs sent: count, definitions and addresses carried, JSON bytes (total and largest). */
export interface InfoStats {
  readonly count: number;
  readonly defs: number;
  readonly addresses: number;
  readonly bytes: number;
  readonly maxBytes: number;
}

/** The CONTROL channels of the registry and of s_groups. */
export const REGISTRY = 'sdnode.registry';
export const SGROUPS = 'sdnode.sgroups';

/**
 * What a cluster's nodes sent, by frame kind and CONTROL channel, and the ops inside the registry's
 * and s_groups' frames (the registry batches several ops in one frame). One tally per cluster.
 */
export class FrameTally {
  private readonly counts = new Map<string, number>();
  private readonly codec = new TermCodec();
  /** Op names inside an encoded item (a broadcast is encoded once and sent to many peers: decoded once). */
  private readonly decoded = new WeakMap<Uint8Array, readonly string[]>();
  /** s_group INFOs sent: how many, the definitions and addresses they carried, their size (JSON bytes, an estimate of the encoded size), the largest. */
  private readonly infoStats = { count: 0, defs: 0, addresses: 0, bytes: 0, maxBytes: 0 };

  add(key: string, n = 1): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + n);
  }

  /** Count one frame sent. */
  frame(frame: DistFrame): void {
    if (frame.kind !== 'control') {
      this.add(frame.kind);
      return;
    }
    const channel = frame.channel;
    this.add(`control:${channel}`);
    const body = frame.body as unknown;
    if (channel === REGISTRY && Array.isArray(body) && Array.isArray(body[1])) {
      for (const item of body[1] as unknown[]) for (const op of this.opNames(item)) this.add(`op:${channel}:${op}`);
    } else if (channel === SGROUPS && Array.isArray(body)) {
      this.add(`op:${channel}:${String(body[0])}`);
      if (body[0] === 'info') this.countInfo(body);
    }
  }

  private countInfo(body: readonly unknown[]): void {
    const s = this.infoStats;
    const bytes = JSON.stringify(body).length;
    s.count++;
    s.defs += Array.isArray(body[1]) ? body[1].length : 0;
    s.addresses += typeof body[2] === 'object' && body[2] !== null ? Object.keys(body[2]).length : 0;
    s.bytes += bytes;
    s.maxBytes = Math.max(s.maxBytes, bytes);
  }

  /** The s_group INFOs sent so far (a copy). */
  info(): InfoStats {
    return { ...this.infoStats };
  }

  /**
   * The names of the registry ops in one item of a frame: an op (an array), or a byte string
   * holding a list of ops (the registry encodes a broadcast once for all its peers).
   */
  private opNames(item: unknown): readonly string[] {
    if (Array.isArray(item)) return [String(item[0])];
    if (!(item instanceof Uint8Array)) return ['?'];
    let names = this.decoded.get(item);
    if (names === undefined) {
      const r = this.codec.decode(item);
      names = r.ok && Array.isArray(r.value) ? r.value.map((op) => (Array.isArray(op) ? String(op[0]) : '?')) : ['?'];
      this.decoded.set(item, names);
    }
    return names;
  }

  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  snapshot(): Counts {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  /** Frames (not ops) in a snapshot or difference. */
  static frames(counts: Counts): number {
    let n = 0;
    for (const [k, v] of Object.entries(counts)) if (!k.startsWith('op:')) n += v;
    return n;
  }

  /** after - before, keys with 0 left out. */
  static diff(after: Counts, before: Counts): Counts {
    const out: Counts = {};
    for (const [k, v] of Object.entries(after)) {
      const d = v - (before[k] ?? 0);
      if (d !== 0) out[k] = d;
    }
    return out;
  }
}

/**
 * A Transport that counts every frame its node sends (and that the transport took) in a
 * FrameTally, and otherwise is the transport it wraps. The simulator and the comparison with the
 * real runtime count through the same wrapper, so their counts mean the same thing.
 */
export class CountingTransport implements Transport {
  constructor(
    readonly inner: Transport,
    private readonly tally: FrameTally,
  ) {}

  get name(): NodeName {
    return this.inner.name;
  }
  get creation(): number {
    return this.inner.creation;
  }
  get hidden(): boolean {
    return this.inner.hidden;
  }
  get address(): string | undefined {
    return this.inner.address;
  }
  get outboundDelay(): number {
    return this.inner.outboundDelay;
  }

  send(name: NodeName, frame: DistFrame): boolean {
    const ok = this.inner.send(name, frame);
    if (ok) this.tally.frame(frame);
    return ok;
  }

  listen(): Promise<string> {
    return this.inner.listen();
  }
  connect(name: NodeName, options?: ConnectOptions): Promise<PeerInfo> {
    return this.inner.connect(name, options);
  }
  disconnect(name: NodeName): void {
    this.inner.disconnect(name);
  }
  learnAddress(name: NodeName, address: string): void {
    this.inner.learnAddress?.(name, address);
  }
  peers(): PeerInfo[] {
    return this.inner.peers();
  }
  peer(name: NodeName): PeerInfo | undefined {
    return this.inner.peer(name);
  }
  queuedBytes(name: NodeName): number {
    return this.inner.queuedBytes(name);
  }
  setOutboundDelay(ms: number): void {
    this.inner.setOutboundDelay(ms);
  }
  stats(): TransportStats {
    return this.inner.stats();
  }
  on<E extends keyof TransportEvents>(event: E, listener: (...args: TransportEvents[E]) => void): this {
    this.inner.on(event, listener);
    return this;
  }
  off<E extends keyof TransportEvents>(event: E, listener: (...args: TransportEvents[E]) => void): this {
    this.inner.off(event, listener);
    return this;
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
