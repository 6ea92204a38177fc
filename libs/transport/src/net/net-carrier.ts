import { randomBytes } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { AbortedError, BadFrameError, HandshakeError, InvalidArgumentError, TimeoutError } from '@sdnode/wire';
import type { Carrier, CarrierSink, DialOptions, OutboundStream } from '../engine/carrier.js';
import type { TransportLogger } from '../transport.js';
import { ZmtpConnection } from '../zmtp/zmtp-connection.js';
import { ZmtpProtocolError } from '../zmtp/zmtp-errors.js';
import { READ_BUFFER_BYTES, adoptAccepted } from './accepted-socket.js';
import { NetStream } from './net-stream.js';
import { formatTcpEndpoint, isWildcardHost, parseTcpEndpoint } from './tcp-endpoint.js';

export interface NetCarrierOptions {
  /** Endpoint to listen on, `tcp://host:port` (port 0: chosen by the OS). */
  readonly listen: string;
  /** Address peers dial; defaults to the bound endpoint. */
  readonly advertise?: string;
  /** Messages above this size are a protocol error: the connection that sent one is closed. */
  readonly hardMessageLimit: number;
  /** The ZMTP greeting and READY exchange of an accepted connection must end within this (ms). */
  readonly handshakeTimeout: number;
  readonly logger: TransportLogger;
}

const FIRST_RETRY_MS = 20;
const MAX_RETRY_MS = 500;
/** Frames per message accepted before the connection is dropped (the engine wants one). */
const MAX_PARTS = 64;

type DialOutcome = { readonly ok: true; readonly stream: NetStream } | { readonly ok: false; readonly auth: boolean; readonly reason: string };

/**
 * The Carrier of NetTransport: ZMTP 3.x over `node:net`, in the same shape as the ZeroMQ carrier
 * and on the same wire. The listening side acts as a ZeroMQ ROUTER (every accepted connection is
 * an inbound stream, known by the Identity its peer announced in READY); every dial is a DEALER
 * with a fresh random identity (16 random bytes, hex), so a NetTransport and a ZmqTransport are
 * peers of each other. Sockets are read and written on the event loop: a message costs no thread
 * hand-off, unlike zeromq.js, where libzmq's I/O thread wakes the JavaScript thread and back.
 *
 * Like the Dealers of the zmq carrier, a dialed stream never reconnects by itself: a lost stream
 * is reported once (`onClosed`), and a new connection is a new dial.
 */
export class NetCarrier implements Carrier {
  private server: Server | undefined;
  /** Accepted connections by stream id, once their handshake is done. */
  private readonly inbound = new Map<string, ZmtpConnection>();
  private readonly accepted = new Set<ZmtpConnection>();
  private readonly dialing = new Set<ZmtpConnection>();
  private readonly streams = new Set<NetStream>();
  private anonymous = 0;
  private closed = false;

  constructor(
    private readonly options: NetCarrierOptions,
    private readonly sink: CarrierSink,
  ) {}

  async listen(): Promise<string> {
    const { host, port } = parseTcpEndpoint('listen', this.options.listen);
    if (this.options.advertise !== undefined) parseTcpEndpoint('advertise', this.options.advertise);
    if (this.options.advertise === undefined && isWildcardHost(host)) {
      throw new InvalidArgumentError('advertise', `bound to the wildcard ${this.options.listen}: give an address peers can dial`);
    }
    // paused: accept() moves reads to one reused buffer (accepted-socket.ts) before any is made
    const server = createServer({ noDelay: true, pauseOnConnect: true }, (socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) => reject(new InvalidArgumentError('listen', `cannot bind ${this.options.listen}: ${error.message}`)));
      server.listen({ host, port, exclusive: true }, () => resolve());
    });
    server.on('error', (error) => this.options.logger.error({ err: error }, 'listener failed'));
    this.server = server;
    const bound = server.address();
    if (bound === null || typeof bound === 'string') throw new InvalidArgumentError('listen', `cannot tell the bound address of ${this.options.listen}`);
    return this.options.advertise ?? formatTcpEndpoint(bound.address, bound.port);
  }

  /**
   * An inbound connection: a ROUTER's view of one peer's DEALER. Its reads land in one buffer it
   * reuses (`onread`, accepted-socket.ts), or come as 'data' where that cannot be done.
   */
  private accept(accepted: Socket): void {
    if (this.closed) {
      accepted.destroy();
      return;
    }
    const buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
    const adopted = adoptAccepted(accepted, buffer, (length) => connection.received(buffer, length));
    const socket = adopted ?? accepted;
    socket.setNoDelay(true);
    const remote = `tcp://${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    const sink = this.sink;
    let id: string | undefined;
    const connection: ZmtpConnection = new ZmtpConnection(
      socket,
      {
        socketType: 'ROUTER',
        maxMessageBytes: this.options.hardMessageLimit,
        maxParts: MAX_PARTS,
        handshakeTimeout: this.options.handshakeTimeout,
        pushedReads: adopted !== undefined,
      },
      {
        ready: (peer) => {
          // As a ROUTER does: the peer's Identity is its routing id, or one is made up for it
          // (starting with a zero octet, which the rfc reserves for this); a duplicate is refused.
          const wanted = peer.identity.byteLength > 0 ? peer.identity.toString('latin1') : `\0${++this.anonymous}`;
          if (this.inbound.has(wanted)) {
            connection.destroy(new ZmtpProtocolError('identity', `routing id ${JSON.stringify(wanted)} is already connected`));
            return;
          }
          id = wanted;
          this.inbound.set(id, connection);
        },
        message: (parts) => {
          try {
            if (parts.length === 1) sink.inbound(id!, parts[0]!, parts[0]!.byteLength);
            else sink.malformed(id!, new BadFrameError(`multipart message of ${parts.length} parts`));
          } catch (error) {
            this.options.logger.error({ err: error, streamId: id }, 'inbound handler threw');
          }
        },
        frame: (body) => {
          try {
            sink.inbound(id!, body, body.byteLength);
          } catch (error) {
            this.options.logger.error({ err: error, streamId: id }, 'inbound handler threw');
          }
        },
        closed: (error) => {
          this.accepted.delete(connection);
          if (id !== undefined && this.inbound.get(id) === connection) this.inbound.delete(id);
          if (error instanceof ZmtpProtocolError && !this.closed) sink.malformed(id ?? remote, error);
        },
      },
    );
    this.accepted.add(connection);
    if (adopted === undefined) accepted.resume();
  }

  async dial(address: string, options: DialOptions): Promise<OutboundStream> {
    const { host, port } = parseTcpEndpoint('address', address);
    const started = Date.now();
    let retry = FIRST_RETRY_MS;
    for (;;) {
      if (options.signal.aborted || this.closed) throw new AbortedError(`connect to ${options.node}`);
      const outcome = await this.tryConnect(randomBytes(16).toString('hex'), host, port, options);
      if (outcome.ok) return outcome.stream;
      if (outcome.auth) throw new HandshakeError(options.node, `ZMTP handshake with ${address} failed: ${outcome.reason}`);
      if (options.signal.aborted || this.closed) throw new AbortedError(`connect to ${options.node}`);
      const remaining = options.deadline - Date.now();
      if (remaining <= 0) {
        throw new TimeoutError(`connect to ${options.node} at ${address}`, options.deadline - started, { reason: outcome.reason });
      }
      await pause(Math.min(retry, remaining), options.signal);
      retry = Math.min(retry * 2, MAX_RETRY_MS);
    }
  }

  /**
   * Connect once as a DEALER with identity `id` and wait for the ZMTP handshake to finish or fail.
   * Both ends send READY with their greeting (ZmtpConnection's eagerReady), so the handshake
   * takes one turn of each side's event loop: accepting (greeting and READY out at once) and
   * reading the other's greeting and READY.
   */
  private tryConnect(id: string, host: string, port: number, options: DialOptions): Promise<DialOutcome> {
    return new Promise<DialOutcome>((resolve) => {
      let done = false;
      let stream: NetStream | undefined;
      const finish = (outcome: DialOutcome): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        options.signal.removeEventListener('abort', onAbort);
        this.dialing.delete(connection);
        if (!outcome.ok) connection.destroy();
        resolve(outcome);
      };
      const onAbort = (): void => finish({ ok: false, auth: false, reason: 'aborted' });
      const timer = setTimeout(() => finish({ ok: false, auth: false, reason: 'no answer before the deadline' }), Math.max(0, options.deadline - Date.now()));
      const socket = connect({ host, port, noDelay: true });
      // Dialing a free ephemeral port on this host can connect the socket to itself (TCP
      // simultaneous open): that is nobody, and would even pass as a DEALER-DEALER handshake.
      socket.once('connect', () => {
        if (socket.localPort === socket.remotePort && socket.localAddress === socket.remoteAddress) {
          connection.destroy(new Error('connected to itself (nobody listens there)'));
        }
      });
      const connection: ZmtpConnection = new ZmtpConnection(
        socket,
        {
          socketType: 'DEALER',
          identity: Buffer.from(id, 'latin1'),
          maxMessageBytes: 64 * 1024,
          maxParts: MAX_PARTS,
          handshakeTimeout: this.options.handshakeTimeout,
        },
        {
          ready: () => {
            if (done) return;
            stream = new NetStream(id, connection, (s) => this.streams.delete(s));
            this.streams.add(stream);
            finish({ ok: true, stream });
          },
          // A ROUTER sends nothing to the DEALERs of this protocol: counted and dropped.
          message: () => this.sink.malformed(id, new BadFrameError('a message on an outbound stream')),
          drain: () => stream?.drained(),
          closed: (error) => {
            if (!done) {
              // A protocol error, or a close after the peer's valid greeting (a ZMTP peer that
              // refused our READY: libzmq closes without a word for a wrong socket type), fails
              // the dial at once; a close before any greeting (not listening yet, going away) is
              // retried until the deadline.
              const refused = connection.peerGreeted && !(error instanceof ZmtpProtocolError && error.reason === 'timeout');
              const auth = (error instanceof ZmtpProtocolError && error.reason !== 'timeout') || refused;
              finish({ ok: false, auth, reason: refused && !(error instanceof ZmtpProtocolError) ? `the peer closed the connection during the ZMTP handshake (${describeFailure(error)})` : describeFailure(error) });
              return;
            }
            // A protocol error on an up outbound stream (the peer broke the framing): counted.
            if (error instanceof ZmtpProtocolError && !this.closed) this.sink.malformed(id, error);
            if (stream !== undefined && !stream.isClosed) {
              stream.lost(error);
              options.onClosed(stream);
            }
          },
        },
      );
      this.dialing.add(connection);
      options.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const stream of [...this.streams]) stream.close();
    this.streams.clear();
    for (const connection of [...this.dialing, ...this.accepted]) connection.destroy();
    this.dialing.clear();
    this.accepted.clear();
    this.inbound.clear();
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function describeFailure(error: Error | undefined): string {
  if (error === undefined) return 'disconnected during the ZMTP handshake';
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  return error.message;
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
