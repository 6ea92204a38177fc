/**
 * What a transport engine needs from the medium that carries bytes (ZeroMQ sockets, or the
 * in-memory network). The model is ZeroMQ's: each node listens on one inbound endpoint; for each
 * peer it dials one outbound stream. Inbound payloads arrive tagged with the id of the stream
 * that carried them; an outbound stream reports when the far end went away.
 */
export interface Carrier {
  /** Start listening; resolves with the advertised address. */
  listen(): Promise<string>;

  /**
   * Open an outbound stream to `address`, retrying until `deadline` (ms since epoch) while the
   * far end is not reachable. Rejects with a typed error when it cannot be opened.
   * `onClosed` runs once when an opened stream is lost (the far end died or closed).
   */
  dial(address: string, options: DialOptions): Promise<OutboundStream>;

  /** Stop listening and close every stream. */
  close(): Promise<void>;
}

export interface DialOptions {
  readonly node: string;
  readonly deadline: number;
  readonly signal: AbortSignal;
  readonly onClosed: (stream: OutboundStream) => void;
}

export interface OutboundStream {
  /** Unique among the streams the far end receives from (ZeroMQ routing id). */
  readonly id: string;
  /** Hand one payload (a batch) to the medium. Only one write may be pending at a time. */
  write(payload: unknown): Promise<void>;
  /**
   * Optional `write` for media that usually take a payload at once: undefined when the payload
   * was taken and the write is done, else the promise `write` would have returned. The engine's
   * writer prefers it (no promise and reaction per batch).
   */
  writeNow?(payload: unknown): Promise<void> | undefined;
  /** Close the stream. With `flushMs > 0`, payloads already written get that long to leave. */
  close(flushMs?: number): void;
}

/** Where a carrier delivers what it receives. Must never throw. */
export interface CarrierSink {
  /**
   * One message received on `streamId`. The payload is valid only during this call: the net
   * carrier reads into one reused buffer (net/accepted-socket.ts), so the engine copies whatever
   * it keeps (decoded byte strings are copies; nothing holds the payload itself).
   */
  inbound(streamId: string, payload: unknown, bytes: number): void;
  /** The carrier received something it cannot hand over (e.g. a multipart ZeroMQ message). */
  malformed(streamId: string, error: Error): void;
}
