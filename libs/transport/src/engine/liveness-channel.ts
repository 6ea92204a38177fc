import { Worker } from 'node:worker_threads';
import type { NodeName } from '@sdnode/wire';
import type { TransportLogger } from '../transport.js';
import { parseTcpEndpoint, type TcpEndpoint } from '../net/tcp-endpoint.js';
import { LIVENESS_WORKER_SOURCE } from './liveness-worker-source.js';

/** How a transport vouches for itself while busy (the option `maxUnresponsive` of Net/ZmqTransport). */
export interface LivenessConfig {
  /**
   * How long (ms) this node's liveness thread keeps telling its peers that the node is alive while
   * its event loop does not run (synchronous work, a long GC pause). Past it, the node counts as
   * unresponsive and its peers declare it down after netTickTime as usual.
   */
  readonly maxUnresponsive: number;
  /** The TCP listen endpoint (`tcp://host:port`): the UDP socket binds its host. */
  readonly listen: string;
}

/** A peer to vouch to: its name, incarnation and the address it listens at (`tcp://host:port`). */
export interface LivenessPeer {
  readonly peerName: NodeName;
  readonly peerCreation: number;
  readonly peerAddress: string;
}

type ChannelState = 'starting' | 'running' | 'failed' | 'closed';

type WorkerMessage =
  | { type: 'bound'; port: number }
  | { type: 'alive'; from: NodeName; creation: number; busy: number }
  | { type: 'bad'; count: number }
  | { type: 'error'; message: string };

const CLOSE_TIMEOUT_MS = 1_000;

/**
 * The main thread's side of the liveness side-channel (liveness-worker-source.ts): starts the
 * liveness thread, stores the heartbeat it checks (at every tick check), tells it which peers to
 * vouch to, and records the peers that vouched for themselves. States: starting -> running (the
 * UDP socket is bound) | failed (it could not bind: the side-channel is off, ticks work as
 * without it) ; any -> closed.
 */
export class LivenessChannel {
  private state: ChannelState = 'starting';
  private readonly worker: Worker;
  private readonly beat: BigInt64Array;
  /** The last vouch of each peer: its incarnation, when it arrived, how long its main thread had not run. */
  private readonly alive = new Map<NodeName, { creation: number; at: number; busy: number }>();
  private peersKey = '';
  private badDatagrams = 0;

  private constructor(
    private readonly logger: TransportLogger,
    private readonly node: NodeName,
    data: { name: NodeName; creation: number; cookie: string; host: string; port: number; interval: number; bound: number },
  ) {
    const shared = new SharedArrayBuffer(8);
    this.beat = new BigInt64Array(shared);
    Atomics.store(this.beat, 0, BigInt(Date.now()));
    this.worker = new Worker(LIVENESS_WORKER_SOURCE, { eval: true, workerData: { ...data, heartbeat: shared } });
    this.worker.unref();
    this.worker.on('message', (m: WorkerMessage) => this.onMessage(m));
    this.worker.on('error', (error) => this.fail(error.message));
  }

  /**
   * Start the side-channel of a node listening at `address` (its advertised `tcp://host:port`);
   * undefined when the address is not a TCP endpoint (nothing to bind).
   */
  static start(options: {
    readonly config: LivenessConfig;
    readonly name: NodeName;
    readonly creation: number;
    readonly cookie: string;
    readonly address: string;
    readonly interval: number;
    readonly logger: TransportLogger;
  }): LivenessChannel | undefined {
    const own = endpointOf(options.address);
    const listen = endpointOf(options.config.listen);
    if (own === undefined || listen === undefined) return undefined;
    return new LivenessChannel(options.logger, options.name, {
      name: options.name,
      creation: options.creation,
      cookie: options.cookie,
      host: listen.host,
      port: own.port,
      interval: options.interval,
      // The heartbeat is stored at every tick check: it is up to one interval old when all is well.
      bound: options.config.maxUnresponsive + options.interval,
    });
  }

  /** The main thread runs (called at every tick check): store the heartbeat, update the peers. */
  update(now: number, peers: Iterable<LivenessPeer>): void {
    if (this.state === 'closed' || this.state === 'failed') return;
    Atomics.store(this.beat, 0, BigInt(now));
    const list: Array<{ name: NodeName; creation: number; host: string; port: number }> = [];
    for (const peer of peers) {
      const at = endpointOf(peer.peerAddress);
      if (at !== undefined) list.push({ name: peer.peerName, creation: peer.peerCreation, host: at.host, port: at.port });
    }
    const key = list.map((p) => `${p.name}/${p.creation}@${p.host}:${p.port}`).join(',');
    if (key === this.peersKey) return;
    this.peersKey = key;
    this.worker.postMessage({ type: 'peers', peers: list });
  }

  /**
   * Whether `name` (incarnation `creation`), silent for `silentMs`, vouched for itself within the
   * last `withinMs` with a main thread blocked long enough to explain the silence beyond
   * `withinMs`. A peer whose main thread runs (it stores its heartbeat at every tick check) does
   * not excuse a silent connection for long: a connection that is broken while both nodes run is
   * still detected, at most a tick interval later.
   */
  vouches(name: NodeName, creation: number, now: number, silentMs: number, withinMs: number): boolean {
    const entry = this.alive.get(name);
    if (entry === undefined || entry.creation !== creation || now - entry.at > withinMs) return false;
    return entry.busy + (now - entry.at) >= silentMs - withinMs;
  }

  /** When `name` last vouched for itself (ms since the epoch), if it did. */
  lastHeard(name: NodeName): number | undefined {
    return this.alive.get(name)?.at;
  }

  get isRunning(): boolean {
    return this.state === 'running';
  }

  get badCount(): number {
    return this.badDatagrams;
  }

  /** Stop the liveness thread (bounded: the thread is terminated, not waited for, past 1 s). */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.worker.terminate().catch(() => undefined),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CLOSE_TIMEOUT_MS);
        timer.unref();
      }),
    ]);
    if (timer !== undefined) clearTimeout(timer);
  }

  private onMessage(m: WorkerMessage): void {
    if (this.state === 'closed') return;
    switch (m.type) {
      case 'bound':
        this.state = 'running';
        this.logger.debug({ node: this.node, port: m.port }, 'liveness side-channel running');
        return;
      case 'alive':
        this.alive.set(m.from, { creation: m.creation, at: Date.now(), busy: m.busy });
        return;
      case 'bad':
        this.badDatagrams += m.count;
        return;
      case 'error':
        this.fail(m.message);
        return;
    }
  }

  private fail(message: string): void {
    if (this.state === 'closed' || this.state === 'failed') return;
    this.state = 'failed';
    this.logger.warn({ node: this.node, error: message }, 'liveness side-channel off: a busy node may be declared down by its peers');
    void this.worker.terminate().catch(() => undefined);
  }
}

function endpointOf(address: string): TcpEndpoint | undefined {
  try {
    return parseTcpEndpoint('address', address);
  } catch {
    return undefined;
  }
}
