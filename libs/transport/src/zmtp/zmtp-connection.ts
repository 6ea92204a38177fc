import type { Socket } from 'node:net';
import {
  encodeErrorCommand,
  encodeGreeting,
  encodeMessage,
  encodePong,
  encodeReady,
  frameHeaderBytes,
  SHORT_FRAME_MAX,
  writeFrameHeader,
  type ZmtpCommand,
  type ZmtpSocketType,
} from './zmtp-codec.js';
import { ZmtpDecoder, type ZmtpPeer } from './zmtp-decoder.js';
import { ZmtpProtocolError } from './zmtp-errors.js';
import { ZmtpFrameOut } from './zmtp-frame-out.js';

export interface ZmtpConnectionOptions {
  /** Our socket type, announced in READY; the peer's must be a valid partner (DEALER-ROUTER, ...). */
  readonly socketType: ZmtpSocketType;
  /** Announced as the Identity property (a ROUTER peer addresses us by it). */
  readonly identity?: Uint8Array;
  /** Largest message accepted (sum of its frames); a larger one is a protocol error. */
  readonly maxMessageBytes: number;
  /** Most frames in one message accepted (default 1024). */
  readonly maxParts?: number;
  /** The greeting and READY exchange must end this long (ms) after the TCP connection is up. */
  readonly handshakeTimeout: number;
  /** The ZMTP 3 minor version we announce (default 1: ZMTP 3.1). */
  readonly minor?: number;
  /**
   * Send READY together with the greeting, without waiting for the peer's greeting (default
   * true). The peer's greeting is checked when it comes: another mechanism closes the connection
   * (the peer, seeing ours, closes it too), so no READY is ever acted on across a mechanism
   * mismatch. This saves the handshake a wait on each side for the other's event loop. Messages
   * still wait for the peer's READY (`ready`): libzmq takes anything that follows our READY before
   * it has sent its own READY for a handshake command, and drops the connection.
   */
  readonly eagerReady?: boolean;
  /**
   * The socket's input is handed over by its owner through `received` (a socket reading into one
   * reused buffer: `onread`, see net/accepted-socket.ts) instead of its 'data' events.
   */
  readonly pushedReads?: boolean;
}

export interface ZmtpConnectionEvents {
  /** The handshake is done: messages may flow both ways. */
  ready?(peer: ZmtpPeer): void;
  /**
   * A whole message from the peer (after `ready`). With `pushedReads`, its last frame (and `frame`'s
   * body) is a view of the reused read buffer: valid during the callback only, copy what is kept.
   */
  message?(parts: Buffer[]): void;
  /** A message of one frame, when given (else `message` gets it as `[body]`): no array per message. */
  frame?(body: Buffer): void;
  /** The socket's write buffer drained after a send returned false. */
  drain?(): void;
  /**
   * The connection is gone (once). `error`: a ZmtpProtocolError when the peer broke the protocol
   * or refused us (ERROR), a socket error (ECONNREFUSED, ECONNRESET...), or undefined when either
   * side closed it in order.
   */
  closed?(error: Error | undefined): void;
}

export type ZmtpConnectionState = 'connecting' | 'handshaking' | 'ready' | 'closed';

/** Bodies up to this size are copied behind their header into one buffer (one write). */
const COPY_BELOW = 8 * 1024;
/** After we send ERROR, how long the socket may take to flush it before it is destroyed. */
const ERROR_LINGER_MS = 100;

/**
 * One ZMTP 3.x connection (zeromq/rfc 23 and 37) over a `node:net` socket, NULL mechanism:
 * the greeting (sent whole, at once, with our READY right behind it: see `eagerReady`), READY
 * both ways with Socket-Type and Identity, then messages of one or more frames and commands
 * (PING is answered with PONG). It interoperates with
 * libzmq (a zeromq.js Dealer or Router at the other end). Reads and writes happen on the event
 * loop, in the callbacks of the socket: no thread hand-off as with libzmq's I/O thread.
 *
 * Backpressure is the socket's own: a send returns what `socket.write` returned; false means the
 * write buffer is above its high-water mark and the caller should wait for `drain`.
 *
 * Why no CURVE: the CURVE mechanism (rfc 25/26) needs crypto_box, that is X25519 with
 * XSalsa20-Poly1305 on every message. Node.js's crypto has X25519 but neither XSalsa20 nor a
 * standalone Poly1305, so CURVE would mean hand-written stream cipher and MAC code in JavaScript
 * (security-critical, unaudited, and a per-message cost that would eat much of what this carrier
 * wins), or a new native dependency. A transport that needs encryption uses the zmq carrier
 * (libzmq's CURVE) or runs on a private network / VPN; NetTransport refuses a `curve` option
 * rather than silently sending clear text.
 */
export class ZmtpConnection {
  private connectionState: ZmtpConnectionState;
  private readonly decoder: ZmtpDecoder;
  private handshakeTimer: NodeJS.Timeout | undefined;
  private peerInfo: ZmtpPeer | undefined;
  private closeError: Error | undefined;
  private lingerTimer: NodeJS.Timeout | undefined;
  private readySent = false;
  private greeted = false;
  /** The buffers single-frame messages are written from (a reused one for short frames). */
  private readonly out = new ZmtpFrameOut();

  constructor(
    readonly socket: Socket,
    private readonly options: ZmtpConnectionOptions,
    private readonly events: ZmtpConnectionEvents,
  ) {
    this.decoder = new ZmtpDecoder(
      { socketType: options.socketType, maxMessageBytes: options.maxMessageBytes, ...(options.maxParts === undefined ? {} : { maxParts: options.maxParts }) },
      {
        greeting: () => {
          this.greeted = true;
          this.sendReady();
        },
        ready: (peer) => this.onReady(peer),
        message: (parts) => this.events.message?.(parts),
        frame: (body) => {
          const events = this.events;
          if (events.frame !== undefined) events.frame(body);
          else events.message?.([body]);
        },
        command: (command) => this.onCommand(command),
      },
    );
    if (options.pushedReads !== true) {
      socket.on('data', (chunk: Buffer) => {
        const error = this.decoder.push(chunk);
        if (error !== undefined) this.fail(error);
      });
    }
    socket.on('error', (error) => {
      this.closeError ??= error;
    });
    socket.on('close', () => this.onClose());
    socket.on('drain', () => this.events.drain?.());
    if (socket.connecting) {
      this.connectionState = 'connecting';
      socket.once('connect', () => this.start());
    } else {
      this.connectionState = 'handshaking';
      this.start();
    }
  }

  get state(): ZmtpConnectionState {
    return this.connectionState;
  }

  /** Whether the peer's whole greeting arrived and was valid (ZMTP 3, our mechanism). */
  get peerGreeted(): boolean {
    return this.greeted;
  }

  /** The peer, once the handshake is done. */
  get peer(): ZmtpPeer | undefined {
    return this.peerInfo;
  }

  /**
   * The next `length` bytes of input, at the start of `buffer`, which the caller reuses once this
   * returns (`pushedReads`): frames handed on are views of it, valid during their callback only.
   */
  received(buffer: Buffer, length: number): void {
    const error = this.decoder.pushTransient(buffer, length);
    if (error !== undefined) this.fail(error);
  }

  /** Send a message of one frame (the carrier's hot path). Returns false when the caller should wait for drain. */
  sendFrame(body: Uint8Array): boolean {
    this.checkReady();
    const size = body.byteLength;
    if (size <= SHORT_FRAME_MAX) {
      const out = this.out.short(size, this.socket.writableLength === 0);
      out.set(body, 2);
      return this.socket.write(out);
    }
    if (size < COPY_BELOW) {
      const header = frameHeaderBytes(size);
      const out = Buffer.allocUnsafe(header + size);
      writeFrameHeader(out, 0, 0, size);
      out.set(body, header);
      return this.socket.write(out);
    }
    const head = Buffer.allocUnsafe(9);
    writeFrameHeader(head, 0, 0, size);
    this.socket.cork();
    this.socket.write(head);
    const ok = this.socket.write(body);
    this.socket.uncork();
    return ok;
  }

  /**
   * `sendFrame` of `bytes[from, to)`: a short body is copied behind its header with no view of
   * `bytes` (the engine's writer passes a batch as a range of its encoder's slab).
   */
  sendFrameRange(bytes: Uint8Array, from: number, to: number): boolean {
    if (to - from > SHORT_FRAME_MAX) return this.sendFrame(bytes.subarray(from, to));
    this.checkReady();
    return this.socket.write(this.out.shortFrom(bytes, from, to, this.socket.writableLength === 0));
  }

  /** Send a message of one or more frames, atomically (all frames in one write). */
  send(parts: readonly Uint8Array[]): boolean {
    if (parts.length === 1) return this.sendFrame(parts[0]!);
    this.checkReady();
    return this.socket.write(encodeMessage(parts));
  }

  /**
   * Close in order: what was written still leaves, then FIN. With `flushMs` 0 the socket is
   * destroyed at once (what the kernel holds still leaves; what Node.js still buffers does not).
   */
  close(flushMs = 0): void {
    if (this.connectionState === 'closed') return;
    this.decoder.stop();
    if (flushMs <= 0 || this.socket.connecting) {
      this.socket.destroy();
      return;
    }
    this.socket.end();
    this.lingerTimer = setTimeout(() => this.socket.destroy(), flushMs);
    this.lingerTimer.unref();
  }

  /** Close at once with an error (reported by `closed`). */
  destroy(error?: Error): void {
    if (this.connectionState === 'closed') return;
    if (error !== undefined) this.closeError ??= error;
    this.decoder.stop();
    this.socket.destroy();
  }

  private start(): void {
    if (this.connectionState === 'closed' || this.socket.destroyed) return;
    this.connectionState = 'handshaking';
    this.handshakeTimer = setTimeout(() => {
      this.handshakeTimer = undefined;
      this.fail(new ZmtpProtocolError('timeout', `no ZMTP handshake within ${this.options.handshakeTimeout} ms`));
    }, this.options.handshakeTimeout);
    this.handshakeTimer.unref();
    this.socket.write(encodeGreeting(this.options.minor ?? 1));
    if (this.options.eagerReady !== false) this.sendReady();
  }

  private sendReady(): void {
    if (this.readySent) return;
    this.readySent = true;
    const identity = this.options.socketType === 'DEALER' || this.options.socketType === 'ROUTER' || this.options.socketType === 'REQ' ? (this.options.identity ?? EMPTY) : undefined;
    this.socket.write(encodeReady(this.options.socketType, identity));
  }

  private onReady(peer: ZmtpPeer): void {
    if (this.handshakeTimer !== undefined) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
    this.peerInfo = peer;
    this.connectionState = 'ready';
    this.events.ready?.(peer);
  }

  private onCommand(command: ZmtpCommand): void {
    // PING: ttl (2 octets), then a context the PONG echoes. PONG, SUBSCRIBE, CANCEL, unknown: ignored.
    if (command.name.toUpperCase() === 'PING' && command.data.byteLength >= 2) this.socket.write(encodePong(command.data.subarray(2)));
  }

  /** A protocol error: tell the peer when the rfc asks for it (its socket type or metadata), then close. */
  private fail(error: ZmtpProtocolError): void {
    if (this.connectionState === 'closed') return;
    this.closeError ??= error;
    this.decoder.stop();
    if ((error.reason === 'socket_type' || error.reason === 'metadata') && !this.socket.destroyed) {
      this.socket.end(encodeErrorCommand(error.reason === 'socket_type' ? 'Invalid socket type' : 'Invalid metadata'));
      this.lingerTimer = setTimeout(() => this.socket.destroy(), ERROR_LINGER_MS);
      this.lingerTimer.unref();
      return;
    }
    this.socket.destroy();
  }

  private onClose(): void {
    if (this.connectionState === 'closed') return;
    this.connectionState = 'closed';
    this.decoder.stop();
    if (this.handshakeTimer !== undefined) clearTimeout(this.handshakeTimer);
    if (this.lingerTimer !== undefined) clearTimeout(this.lingerTimer);
    this.handshakeTimer = this.lingerTimer = undefined;
    this.events.closed?.(this.closeError);
  }

  private checkReady(): void {
    if (this.connectionState !== 'ready') throw new Error(`ZMTP connection is ${this.connectionState}, not ready`);
  }
}

const EMPTY = new Uint8Array(0);
