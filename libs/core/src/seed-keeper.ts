import type { Node } from './node.js';

export interface SeedKeeperOptions {
  /** First retry delay in ms; doubles up to maxDelayMs. */
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly connectTimeoutMs?: number;
  /**
   * Where each seed is (name -> address), used on every attempt: a seed that was not up yet at
   * the first attempt (a failed handshake leaves no address behind) is still found later.
   */
  readonly addresses?: Readonly<Record<string, string>>;
  readonly onAttemptFailed?: (seed: string, error: Error) => void;
  /**
   * Whether to connect to a seed now (asked before every attempt; default: always), knowing
   * whether this node has met it since it started. A seed left alone is tried again only when
   * it goes down after something else connected it.
   */
  readonly wanted?: (seed: string, met: boolean) => boolean;
}

/**
 * Keeps a node connected to its seeds: connects at start and again, with exponential backoff,
 * whenever a seed connection goes down (a restarted or thawed seed is met again). Other
 * connections stay on demand, as in Erlang; the seeds are the node's declared way into the cluster.
 */
export class SeedKeeper {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly delays = new Map<string, number>();
  /** Seeds this node has been connected to since it started. */
  private readonly met = new Set<string>();
  private stopped = false;
  private readonly onNodedown = (name: string) => {
    if (this.seeds.includes(name)) this.schedule(name);
  };
  private readonly onNodeup = (name: string) => {
    this.delays.delete(name);
    if (this.seeds.includes(name)) this.met.add(name);
  };

  constructor(
    private readonly node: Node,
    private readonly seeds: readonly string[],
    private readonly options: SeedKeeperOptions = {},
  ) {}

  start(): void {
    this.node.on('nodedown', this.onNodedown);
    this.node.on('nodeup', this.onNodeup);
    for (const seed of this.seeds) void this.attempt(seed);
  }

  stop(): void {
    this.stopped = true;
    this.node.off('nodedown', this.onNodedown);
    this.node.off('nodeup', this.onNodeup);
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private async attempt(seed: string): Promise<void> {
    if (this.stopped || this.options.wanted?.(seed, this.met.has(seed)) === false) return;
    try {
      const address = this.options.addresses?.[seed];
      await this.node.connect(seed, { timeout: this.options.connectTimeoutMs ?? 5000, ...(address !== undefined ? { address } : {}) });
    } catch (error) {
      this.options.onAttemptFailed?.(seed, error as Error);
      this.schedule(seed);
    }
  }

  private schedule(seed: string): void {
    if (this.stopped || this.timers.has(seed)) return;
    const initial = this.options.initialDelayMs ?? 250;
    const delay = Math.min(this.delays.get(seed) ?? initial, this.options.maxDelayMs ?? 10_000);
    this.delays.set(seed, delay * 2);
    const timer = setTimeout(() => {
      this.timers.delete(seed);
      void this.attempt(seed);
    }, delay);
    timer.unref();
    this.timers.set(seed, timer);
  }
}
