import type { PolicyHost } from './connection-policy.js';

export interface GossipRedialOptions {
  /** First wait before re-dialling a gossiped node whose dial failed (ms); doubles per attempt. */
  readonly retryBaseMs?: number;
  /** The longest wait between two attempts (ms). */
  readonly retryMaxMs?: number;
  /** Attempts after the first failure before the node is given up (until gossip names it again). */
  readonly maxRetries?: number;
}

interface Retry {
  readonly address: string;
  attempts: number;
  timer: ReturnType<typeof setTimeout> | null;
}

/**
 * The dials a connection policy makes because NODES gossip named a node, and their re-dials: a
 * gossiped node whose dial fails (it timed out while a crowded machine started many nodes, or
 * the node is gone) is dialled again after 1, 2, 4, 8, 16, 16 s, as long as `wanted` says the
 * policy still wants it and it is not up; then it is given up until some peer gossips it again.
 * Without this, one lost dial at start left a full mesh incomplete for good (nothing else dials a
 * pair that gossip introduced). Used by FullMeshPolicy and by the s_group policy's free mesh.
 */
export class GossipRedial {
  private readonly retries = new Map<string, Retry>();
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly maxRetries: number;

  constructor(
    private readonly host: () => PolicyHost | null,
    /** Does the policy still want a connection to `node` (checked before each re-dial)? */
    private readonly wanted: (node: string) => boolean = () => true,
    options: GossipRedialOptions = {},
  ) {
    this.retryBaseMs = options.retryBaseMs ?? 1_000;
    this.retryMaxMs = options.retryMaxMs ?? 16_000;
    this.maxRetries = options.maxRetries ?? 6;
  }

  /**
   * Gossip named `node` at `address`: dial it now, unless a re-dial is already scheduled (that one
   * goes ahead at its time). Returns whether it dialled.
   */
  dial(node: string, address: string): boolean {
    const host = this.host();
    if (host === null) return false;
    if (this.retries.get(node)?.timer != null) return false;
    this.retries.set(node, { address, attempts: 0, timer: null });
    host.connect(node, address);
    return true;
  }

  /**
   * A dial to `node` failed: schedule the next attempt, or give it up. Returns whether a re-dial is
   * scheduled (false also for a node this never dialled).
   */
  failed(node: string): boolean {
    const retry = this.retries.get(node);
    const host = this.host();
    if (retry === undefined || host === null) return false;
    if (retry.timer !== null) return true;
    if (retry.attempts >= this.maxRetries) {
      this.retries.delete(node);
      host.logger.info({ peer: node, attempts: retry.attempts + 1 }, 'gave up dialling a gossiped node');
      return false;
    }
    const delay = Math.min(this.retryBaseMs * 2 ** retry.attempts, this.retryMaxMs);
    retry.attempts++;
    retry.timer = setTimeout(() => {
      retry.timer = null;
      const h = this.host();
      if (h === null || h.peers().some((p) => p.name === node) || !this.wanted(node)) {
        this.retries.delete(node);
        return;
      }
      h.connect(node, retry.address);
    }, delay);
    retry.timer.unref?.();
    return true;
  }

  /** `node` is up (or no longer wanted): no more re-dials. */
  forget(node: string): void {
    const retry = this.retries.get(node);
    if (retry?.timer != null) clearTimeout(retry.timer);
    this.retries.delete(node);
  }

  /** Gossiped nodes waiting for a re-dial (for node.info() and tests). */
  pending(): string[] {
    return [...this.retries.entries()].filter(([, r]) => r.timer !== null).map(([name]) => name);
  }

  /** Forget everything (the policy stops). */
  clear(): void {
    for (const name of [...this.retries.keys()]) this.forget(name);
  }
}
