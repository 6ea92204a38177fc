/** How the simulated network delays frames. All times in ms of virtual time. */
export interface LinkModelOptions {
  /** One-way latency of every frame (default 1). */
  readonly latencyMs?: number;
  /** Uniform extra latency in [0, jitterMs) per frame, from the seeded generator (default 0). */
  readonly jitterMs?: number;
  /**
   * Probability that a frame's first transmission is lost (default 0). The connections are
   * ordered and reliable (TCP): a lost frame is sent again after `retransmitMs`, and the frames
   * behind it on the same connection wait for it (head-of-line blocking), as on TCP.
   */
  readonly lossRate?: number;
  /** Retransmission delay of a lost frame (default 200, Linux's minimum RTO). */
  readonly retransmitMs?: number;
  /** Seed of the generator behind jitter and loss (default 1). */
  readonly seed?: number;
  /**
   * A dial into a partition is tried again after `dialRetryMs`, the wait doubling up to
   * `dialRetryMaxMs`, until the handshake timeout: the net and zmq carriers' schedule (defaults
   * 20 and 500). After a heal such a dial goes through at its next try. MemoryTransport tries
   * every 20 ms (`dialRetryMaxMs: 20`).
   */
  readonly dialRetryMs?: number;
  readonly dialRetryMaxMs?: number;
}

/** mulberry32: a small, fast, seeded PRNG (32-bit state), for deterministic jitter and loss. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Latency, jitter and loss of the simulated links, drawn from one seeded generator. */
export class LinkModel {
  readonly latencyMs: number;
  readonly jitterMs: number;
  readonly lossRate: number;
  readonly retransmitMs: number;
  readonly seed: number;
  readonly dialRetryMs: number;
  readonly dialRetryMaxMs: number;
  private readonly random: () => number;
  /** Frames whose first transmission was lost (and sent again). */
  lost = 0;

  constructor(options: LinkModelOptions = {}) {
    this.latencyMs = options.latencyMs ?? 1;
    this.jitterMs = options.jitterMs ?? 0;
    this.lossRate = options.lossRate ?? 0;
    this.retransmitMs = options.retransmitMs ?? 200;
    this.seed = options.seed ?? 1;
    this.dialRetryMs = options.dialRetryMs ?? 20;
    this.dialRetryMaxMs = options.dialRetryMaxMs ?? 500;
    this.random = seededRandom(this.seed);
    for (const [k, v] of Object.entries({ latencyMs: this.latencyMs, jitterMs: this.jitterMs, retransmitMs: this.retransmitMs })) {
      if (!(v >= 0) || !Number.isFinite(v)) throw new RangeError(`${k} must be a finite number >= 0`);
    }
    for (const [k, v] of Object.entries({ dialRetryMs: this.dialRetryMs, dialRetryMaxMs: this.dialRetryMaxMs })) {
      if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`${k} must be a finite number > 0`);
    }
    if (!(this.lossRate >= 0 && this.lossRate < 1)) throw new RangeError('lossRate must be in [0, 1)');
  }

  /** The first try after `now` of a dial that began at `since` and has been retried on the carriers' schedule. */
  nextDialTry(since: number, now: number): number {
    let at = since;
    let wait = this.dialRetryMs;
    while (at <= now) {
      at += wait;
      wait = Math.min(wait * 2, this.dialRetryMaxMs);
    }
    return at;
  }

  /** The delay of one frame sent now (before ordering behind earlier frames of its connection). */
  delay(): number {
    let d = this.latencyMs;
    if (this.jitterMs > 0) d += this.random() * this.jitterMs;
    if (this.lossRate > 0 && this.random() < this.lossRate) {
      this.lost++;
      d += this.retransmitMs;
    }
    return d;
  }
}
