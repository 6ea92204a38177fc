import type { Node } from '@sdnode/core';

// The seed keeping of `sdnode start` (apps/sdnode/src/seed-keeper.ts), for nodes the harness runs
// inside its multi-mode workers: the CLI depends on this package, so it cannot be imported here.
// Keep the two in step (or move the class into a library both use).

export interface SeedKeeperOptions {
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly connectTimeoutMs?: number;
  readonly addresses?: Readonly<Record<string, string>>;
  readonly onAttemptFailed?: (seed: string, error: Error) => void;
  /** Whether to connect to a seed now, knowing whether this node has met it since it started. */
  readonly wanted?: (seed: string, met: boolean) => boolean;
}

/** Keeps a node connected to its seeds: at start, and with exponential backoff after a seed's nodedown. */
export class SeedKeeper {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly delays = new Map<string, number>();
  private readonly met = new Set<string>();
  private stopped = false;
  private readonly onNodedown = (name: string): void => {
    if (this.seeds.includes(name)) this.schedule(name);
  };
  private readonly onNodeup = (name: string): void => {
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
