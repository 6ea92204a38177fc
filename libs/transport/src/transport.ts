import type { DistFrame, NodeName } from '@sdnode/wire';

/** A peer whose connection is up. `epoch` changes on every new connection to the same node. */
export interface PeerInfo {
  readonly name: NodeName;
  readonly creation: number;
  readonly hidden: boolean;
  /** The peer's advertised listen address. */
  readonly address: string;
  /** Connection epoch: a number unique per connection within this transport instance. */
  readonly epoch: number;
}

/** Why a connection went down. */
export type DisconnectReason =
  | { readonly kind: 'closed' } // we called disconnect() or close()
  | { readonly kind: 'peer_closed' } // the socket to the peer disconnected (peer died or closed)
  | { readonly kind: 'tick_timeout' } // nothing received for netTickTime
  | { readonly kind: 'overload'; readonly queuedBytes: number } // outbound queue bound exceeded
  | { readonly kind: 'replaced' } // the peer restarted (new creation) and reconnected
  | { readonly kind: 'protocol_error'; readonly message: string }; // undecodable data on an up connection

/** Maps node names to addresses (ZeroMQ endpoints such as `tcp://10.0.0.2:4370`). Replaceable. */
export interface NodeResolver {
  resolve(name: NodeName): string | undefined;
  /** Told whenever the transport learns an address (handshakes, gossip, config). */
  learn(name: NodeName, address: string): void;
}

/** Counters every transport keeps (bad input is counted, never thrown to the event loop). */
export interface TransportStats {
  framesSent: number;
  framesReceived: number;
  batchesSent: number;
  batchesReceived: number;
  bytesSent: number;
  bytesReceived: number;
  /** Frames or batches dropped as malformed, oversized, out of state, or from unknown senders. */
  badFrames: number;
  /** Handshakes refused (wrong cookie, version, policy). */
  handshakesRefused: number;
  /** Frames dropped because the destination was not connected and could not be reached. */
  framesDropped: number;
  /** Connections dropped because their outbound queue exceeded the bound. */
  overloads: number;
}

/** Minimal structured logger (pino-compatible subset). */
export interface TransportLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface TransportEvents {
  /** A connection finished its handshake. Emitted once per epoch. */
  nodeup: [peer: PeerInfo];
  /** A connection of the given epoch is gone; no frame of that epoch is delivered afterwards. */
  nodedown: [peer: PeerInfo, reason: DisconnectReason];
  /** A distribution frame from an up connection, in the order the peer sent it. */
  frame: [peer: PeerInfo, frame: DistFrame];
  /** An outbound connection attempt failed (the frames queued for it were dropped). */
  connectfailed: [name: NodeName, error: Error];
}

export interface ConnectOptions {
  /** Address to dial; defaults to the resolver's answer. */
  readonly address?: string;
  /** Give up after this many ms (default: the transport's handshake timeout). */
  readonly timeout?: number;
  readonly signal?: AbortSignal;
}

/**
 * Node-to-node links. One connection per node pair; a cookie handshake before anything else;
 * frames delivered in order per connection; nodeup/nodedown per connection epoch; ticks for
 * liveness; outbound batching per macrotask; a bounded outbound queue per peer.
 *
 * Implementations: ZmqTransport (ZeroMQ, production) and MemoryTransport (tests). Both pass the
 * compliance suite in `@sdnode/transport/testing`.
 */
export interface Transport {
  readonly name: NodeName;
  readonly creation: number;
  readonly hidden: boolean;
  /** The advertised address, once listen() has resolved. */
  readonly address: string | undefined;

  /** Start accepting connections; resolves with the advertised address. */
  listen(): Promise<string>;

  /**
   * Connect (or return the existing connection). Rejects with a typed error:
   * UnresolvableNodeError, BadCookieError, HandshakeError, ConnectionRefusedError,
   * TimeoutError, AbortedError, NodeStoppedError.
   */
  connect(name: NodeName, options?: ConnectOptions): Promise<PeerInfo>;

  /**
   * Queue a frame for a node. Encodes at once: throws NotSendableError synchronously when the
   * frame holds a value that cannot be sent (nothing is queued then). If the node is not up,
   * starts connecting (when its address can be resolved) and holds the frame until the
   * connection is up; returns false when the frame was dropped (no address, node stopped).
   */
  send(name: NodeName, frame: DistFrame): boolean;

  /**
   * Tell the transport where `name` listens, as this node heard it from a peer (s_group INFO,
   * NODES gossip): a later send() or connect() to `name` without an address dials it there, as
   * it would an address learnt from a handshake. The resolver decides what it keeps (a
   * StaticResolver keeps configured addresses over learned ones); the address of a node that is
   * up is the one its handshake advertised and is left alone. Invalid names and addresses, and
   * this node's own name, are ignored, never thrown. Optional: a transport without it resolves
   * only what it was configured with and learnt from handshakes.
   */
  learnAddress?(name: NodeName, address: string): void;

  /** Close the connection to a node (nodedown with reason `closed`). */
  disconnect(name: NodeName): void;

  /** The peers whose connections are up. */
  peers(): PeerInfo[];
  peer(name: NodeName): PeerInfo | undefined;

  /** Bytes queued towards a peer and not yet handed to the socket (for backpressure); frames held by the outbound delay included. */
  queuedBytes(name: NodeName): number;

  /** The outbound delay in force, in ms (0: none). See setOutboundDelay. */
  readonly outboundDelay: number;

  /**
   * A fault for tests (a slow link out of this node, where the kernel cannot add latency): hold
   * every frame this node sends, handshakes, ticks, distribution and control frames alike, for
   * `ms` before it is handed to the carrier; per connection, frames leave in the order they were
   * sent. Applies to frames sent from now on. 0 lifts the delay: frames already held leave at
   * once, in order, before anything sent afterwards. Held frames count in queuedBytes and against
   * the queue bound; they are dropped with their connection. A transport starts without a delay
   * (a restarted node has none until it is set again). Throws InvalidArgumentError unless `ms`
   * is a finite number in 0..2^31-1.
   */
  setOutboundDelay(ms: number): void;

  stats(): TransportStats;

  on<E extends keyof TransportEvents>(event: E, listener: (...args: TransportEvents[E]) => void): this;
  off<E extends keyof TransportEvents>(event: E, listener: (...args: TransportEvents[E]) => void): this;

  /** Close every connection (nodedown `closed` for each) and stop listening. */
  close(): Promise<void>;
}

/** Options every transport implementation accepts. */
export interface TransportOptions {
  readonly name: NodeName;
  readonly cookie: string;
  /** Incarnation number; defaults to a value derived from the start time, so a restart changes it. */
  readonly creation?: number;
  readonly hidden?: boolean;
  /** Net tick time in ms (default 60000): a peer silent this long is declared down. Ticks go every netTickTime/4. */
  readonly netTickTime?: number;
  /** Handshake timeout in ms (default 7000), per step: the initiator's starts again at the CHALLENGE (docs/protocols/handshake.md). */
  readonly handshakeTimeout?: number;
  /** Bound of the outbound queue per peer in bytes (default 64 MiB); beyond it the connection is dropped. */
  readonly maxQueueBytes?: number;
  /** Largest accepted ZeroMQ message (batch) in bytes (default 16 MiB). */
  readonly maxMessageBytes?: number;
  readonly resolver?: NodeResolver;
  /** Accept a handshake from this peer? Default: accept all that know the cookie. */
  readonly accept?: (peer: { name: NodeName; hidden: boolean; creation: number }) => boolean;
  readonly logger?: TransportLogger;
}
