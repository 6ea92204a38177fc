import {
  BadCookieError,
  BadFrameError,
  ConnectionRefusedError,
  FrameTooLargeError,
  HandshakeError,
  ProtocolVersionError,
  SUPPORTED_VERSIONS,
  type ChallengeAckFrame,
  type ChallengeFrame,
  type ChallengeReplyFrame,
  type Frame,
  type HelloFrame,
  type NodeName,
  type RefuseFrame,
} from '@sdnode/wire';
import type { DisconnectReason, TransportLogger, TransportStats } from '../transport.js';
import { challengeDigest, digestMatches, isNonce, sessionKey } from '../handshake-digest.js';
import type { Connection } from './connection.js';
import { isValidInbound } from './connection-state.js';
import type { FrameFormat, StreamDecoder } from './frame-format.js';
import { isAddressableHello, isValidChallenge, isValidHello, isValidRefuse, refusalError } from './handshake-checks.js';
import type { PeerTable } from './peer-table.js';

/** What the handshake protocol needs from the transport engine that hosts it. */
export interface HandshakeHost {
  readonly name: NodeName;
  readonly creation: number;
  readonly hidden: boolean;
  readonly cookie: string;
  readonly table: PeerTable;
  readonly stats: TransportStats;
  readonly format: FrameFormat;
  readonly maxMessageBytes: number;
  readonly logger: TransportLogger;
  isStopped(): boolean;
  accepts(peer: { name: NodeName; hidden: boolean; creation: number }): boolean;
  /** Count (badFrames) and log bad input. */
  badInput(error: Error, context: Record<string, unknown>): void;
  /** Count (handshakesRefused) and log a refused handshake. */
  refused(error: Error, context: Record<string, unknown>): void;
  /** Deliver frames of an up connection from index `from` on (up to `end`, default all). */
  deliver(conn: Connection, frames: readonly Frame[], from: number, end?: number): void;
  enqueue(conn: Connection, frame: Frame): void;
  newAcceptor(hello: HelloFrame, streamId: string, decoder: StreamDecoder): Connection;
  abandon(conn: Connection): void;
  goUp(conn: Connection): void;
  failAttempt(conn: Connection, error: Error, refuse?: RefuseFrame['reason']): void;
  /** The peer answered a step of the handshake: the attempt's deadline starts again. */
  handshakeProgressed(conn: Connection): void;
  takeDown(conn: Connection, reason: DisconnectReason): void;
  refuseBack(hello: HelloFrame, reason: RefuseFrame['reason']): void;
}

/**
 * The inbound half of the handshake (docs/protocols/handshake.md): binds new inbound streams to
 * connections (a HELLO opens an acceptor; a CHALLENGE or REFUSE names an initiator's session),
 * checks every frame against the connection's state, and runs the HELLO / CHALLENGE /
 * CHALLENGE_REPLY / CHALLENGE_ACK / REFUSE handlers. Never throws.
 */
export class HandshakeProtocol {
  constructor(private readonly host: HandshakeHost) {}

  /** A payload arrived on an inbound stream (CarrierSink.inbound). */
  inbound(streamId: string, payload: unknown, bytes: number): void {
    const host = this.host;
    const stats = host.stats;
    stats.batchesReceived++;
    stats.bytesReceived += bytes;
    if (host.isStopped()) return;
    const conn = host.table.connectionForStream(streamId);
    if (conn !== undefined) {
      this.onBoundStream(conn, payload);
      return;
    }
    if (host.table.isDeadStream(streamId)) {
      host.badInput(new BadFrameError('batch from a connection that is down'), { streamId });
      return;
    }
    if (bytes > host.maxMessageBytes) {
      host.badInput(new FrameTooLargeError(bytes, host.maxMessageBytes), { streamId });
      return;
    }
    this.onNewStream(streamId, payload);
  }

  private onBoundStream(conn: Connection, payload: unknown): void {
    const decoder = conn.decoder!;
    if (conn.state === 'up' && decoder.decodeShared !== undefined) {
      // the receive hot path: frames decoded into the decoder's reused arrays, delivered, released
      const batch = decoder.decodeShared(payload);
      if (batch !== undefined) {
        try {
          this.onUpBatch(conn, batch.frames, batch.count, batch.errors);
        } finally {
          decoder.releaseShared!();
        }
        return;
      }
    }
    const { frames, errors } = decoder.decode(payload);
    this.host.stats.framesReceived += frames.length;
    conn.lastReceived = Date.now();
    if (errors.length > 0) {
      const first = errors[0]!;
      this.host.badInput(first, { ...conn.describe(), errors: errors.length });
      this.host.stats.badFrames += errors.length - 1;
      if (conn.state === 'up') this.host.takeDown(conn, { kind: 'protocol_error', message: first.message });
      else this.host.failAttempt(conn, new HandshakeError(conn.peerName, `undecodable handshake data: ${first.message}`));
      return;
    }
    if (conn.state === 'up') this.host.deliver(conn, frames, 0);
    else this.handleFrames(conn, frames, 0);
  }

  /** onBoundStream for an up connection, the batch's frames being `frames[0..count)`. */
  private onUpBatch(conn: Connection, frames: readonly Frame[], count: number, errors: readonly Error[]): void {
    this.host.stats.framesReceived += count;
    conn.lastReceived = Date.now();
    if (errors.length > 0) {
      const first = errors[0]!;
      this.host.badInput(first, { ...conn.describe(), errors: errors.length });
      this.host.stats.badFrames += errors.length - 1;
      this.host.takeDown(conn, { kind: 'protocol_error', message: first.message });
      return;
    }
    this.host.deliver(conn, frames, 0, count);
  }

  private onNewStream(streamId: string, payload: unknown): void {
    const host = this.host;
    const decoder = host.format.newDecoder(host.maxMessageBytes);
    const { frames, errors } = decoder.decode(payload);
    host.stats.framesReceived += frames.length;
    const first = frames[0] as (Partial<Frame> & { kind?: unknown; session?: unknown }) | undefined;
    if (errors.length > 0 || first === undefined) {
      host.badInput(errors[0] ?? new BadFrameError('empty batch'), { streamId, phase: 'before handshake' });
      return;
    }
    if (first.kind === 'hello') {
      this.onHello(streamId, decoder, first as Partial<HelloFrame>, frames);
      return;
    }
    if (first.kind === 'challenge' || first.kind === 'refuse') {
      const target = isNonce(first.session) ? host.table.connectionForSession(sessionKey(first.session)) : undefined;
      if (target === undefined || target.state !== 'connecting' || target.inStreamId !== undefined) {
        host.badInput(new BadFrameError(`${first.kind} for no pending connection attempt`), { streamId });
        return;
      }
      host.table.bindStream(streamId, target);
      target.decoder = decoder;
      target.lastReceived = Date.now();
      this.handleFrames(target, frames, 0);
      return;
    }
    host.badInput(new BadFrameError(`${String(first.kind)} on a stream that did not start with a handshake`), { streamId });
  }

  /** Run frames through the state machine; once the connection is up the rest are delivered. */
  private handleFrames(conn: Connection, frames: readonly Frame[], from: number): void {
    for (let i = from; i < frames.length; i++) {
      if (conn.state === 'up') {
        this.host.deliver(conn, frames, i);
        return;
      }
      if (conn.state === 'down') return;
      this.handleFrame(conn, frames[i]!);
    }
  }

  /** One frame on a bound stream, checked against the state table. */
  handleFrame(conn: Connection, frame: Frame): void {
    if (!isValidInbound(conn.state, frame.kind)) {
      this.host.badInput(new BadFrameError(`${String(frame.kind)} is not valid in state ${conn.state}`), conn.describe());
      return;
    }
    switch (frame.kind) {
      case 'challenge':
        this.onChallenge(conn, frame);
        return;
      case 'challenge_reply':
        this.onChallengeReply(conn, frame);
        return;
      case 'challenge_ack':
        this.onChallengeAck(conn, frame);
        return;
      case 'refuse':
        this.onRefuse(conn, frame);
        return;
      case 'tick':
        return;
      default:
        // A distribution frame on an up connection.
        this.host.deliver(conn, [frame], 0);
    }
  }

  private onHello(streamId: string, decoder: StreamDecoder, hello: Partial<HelloFrame>, frames: readonly Frame[]): void {
    const host = this.host;
    if (!isValidHello(hello)) {
      if (isAddressableHello(hello) && typeof hello.version === 'number' && !SUPPORTED_VERSIONS.includes(hello.version)) {
        host.refused(new ProtocolVersionError(hello.version, SUPPORTED_VERSIONS), { peer: hello.name, streamId });
        host.refuseBack(hello, 'version');
        return;
      }
      host.badInput(new BadFrameError('malformed HELLO'), { streamId });
      return;
    }
    const peer = { name: hello.name, hidden: hello.flags.hidden, creation: hello.creation };
    if (!SUPPORTED_VERSIONS.includes(hello.version)) {
      host.refused(new ProtocolVersionError(hello.version, SUPPORTED_VERSIONS), { peer: hello.name, streamId });
      host.refuseBack(hello, 'version');
      return;
    }
    if (hello.name === host.name) {
      host.refused(new ConnectionRefusedError(hello.name, 'the peer uses our own node name'), { streamId });
      host.refuseBack(hello, 'not_allowed');
      return;
    }
    if (!host.accepts(peer)) {
      host.refused(new ConnectionRefusedError(hello.name, 'not allowed by the accept policy'), { streamId });
      host.refuseBack(hello, 'not_allowed');
      return;
    }
    const slot = host.table.ensure(hello.name);
    let abandonedSessionKey: string | undefined;
    const pending = slot.pending;
    if (pending !== undefined) {
      if (pending.role === 'initiator') {
        if (pending.stream === undefined) {
          // Our attempt is still dialling: our HELLO has not left, so nothing crossed and there is
          // no tie to break. The peer is alive at HELLO.address, wherever our dial is going (an
          // address of a dead incarnation, one not listening yet): accept its HELLO instead of
          // letting an attempt that may never reach it block the connection.
          host.logger.debug({ peer: hello.name }, 'HELLO while our attempt is still dialling: continuing as acceptor');
        } else if (host.name < hello.name) {
          // Simultaneous connect, our attempt wins: refuse theirs on our own stream; they
          // continue as the acceptor of our HELLO, which is already on its way to them.
          host.logger.debug({ peer: hello.name }, 'simultaneous connect: our attempt wins');
          host.enqueue(pending, { kind: 'refuse', session: hello.session, reason: 'simultaneous' });
          return;
        } else {
          host.logger.debug({ peer: hello.name }, 'simultaneous connect: their attempt wins, continuing as acceptor');
        }
        abandonedSessionKey = pending.sessionKey;
      }
      host.abandon(pending);
    }
    const conn = host.newAcceptor(hello, streamId, decoder);
    conn.abandonedSessionKey = abandonedSessionKey;
    this.handleFrames(conn, frames, 1);
  }

  private onChallenge(conn: Connection, frame: ChallengeFrame): void {
    const host = this.host;
    if (!isValidChallenge(frame) || sessionKey(frame.session) !== conn.sessionKey) {
      host.badInput(new BadFrameError('malformed CHALLENGE'), conn.describe());
      return;
    }
    if (!SUPPORTED_VERSIONS.includes(frame.version)) {
      const error = new ProtocolVersionError(frame.version, SUPPORTED_VERSIONS);
      host.refused(error, conn.describe());
      host.failAttempt(conn, new HandshakeError(conn.peerName, error.message), 'version');
      return;
    }
    if (frame.name !== conn.peerName) {
      const error = new HandshakeError(conn.peerName, `the node at ${conn.peerAddress} is ${frame.name}`);
      host.refused(error, conn.describe());
      host.failAttempt(conn, error, 'not_allowed');
      return;
    }
    if (!host.accepts({ name: frame.name, hidden: frame.flags.hidden, creation: frame.creation })) {
      const error = new ConnectionRefusedError(conn.peerName, 'not allowed by our accept policy');
      host.refused(error, conn.describe());
      host.failAttempt(conn, error, 'not_allowed');
      return;
    }
    const expected = challengeDigest(host.cookie, frame.name, host.name, conn.challenge);
    if (!digestMatches(expected, frame.digest)) {
      const error = new BadCookieError(conn.peerName);
      host.refused(error, conn.describe());
      host.failAttempt(conn, error, 'bad_cookie');
      return;
    }
    conn.peerCreation = frame.creation;
    conn.peerHidden = frame.flags.hidden;
    conn.peerAddress = frame.address;
    conn.moveTo('handshaking_initiator');
    host.handshakeProgressed(conn);
    const reply: ChallengeReplyFrame = {
      kind: 'challenge_reply',
      session: conn.session,
      digest: challengeDigest(host.cookie, host.name, frame.name, frame.challenge),
    };
    host.enqueue(conn, reply);
  }

  private onChallengeReply(conn: Connection, frame: ChallengeReplyFrame): void {
    const host = this.host;
    if (!isNonce(frame.session) || sessionKey(frame.session) !== conn.sessionKey) {
      host.badInput(new BadFrameError('CHALLENGE_REPLY for another session'), conn.describe());
      return;
    }
    const expected = challengeDigest(host.cookie, conn.peerName, host.name, conn.challenge);
    if (!digestMatches(expected, frame.digest)) {
      const error = new BadCookieError(conn.peerName);
      host.refused(error, conn.describe());
      host.failAttempt(conn, error, 'bad_cookie');
      return;
    }
    host.goUp(conn);
  }

  private onChallengeAck(conn: Connection, frame: ChallengeAckFrame): void {
    if (!isNonce(frame.session) || sessionKey(frame.session) !== conn.sessionKey) {
      this.host.badInput(new BadFrameError('CHALLENGE_ACK for another session'), conn.describe());
      return;
    }
    this.host.goUp(conn);
  }

  private onRefuse(conn: Connection, frame: RefuseFrame): void {
    const host = this.host;
    if (!isValidRefuse(frame)) {
      host.badInput(new BadFrameError('malformed REFUSE'), conn.describe());
      return;
    }
    const key = sessionKey(frame.session);
    if (conn.state === 'up') {
      if (frame.reason === 'closed' && key === conn.sessionKey) host.takeDown(conn, { kind: 'peer_closed' });
      else host.badInput(new BadFrameError(`REFUSE ${frame.reason} on an up connection`), conn.describe());
      return;
    }
    if (frame.reason === 'simultaneous' && (key === conn.abandonedSessionKey || key === conn.sessionKey)) {
      // The peer confirms that our own attempt lost; its winning HELLO has reached (or will reach) us.
      host.logger.debug(conn.describe(), 'peer refused our simultaneous attempt');
      return;
    }
    if (key !== conn.sessionKey) {
      host.badInput(new BadFrameError('REFUSE for another session'), conn.describe());
      return;
    }
    const error = refusalError(conn.peerName, frame.reason);
    host.refused(error, { ...conn.describe(), reason: frame.reason, by: 'peer' });
    host.failAttempt(conn, error);
  }
}
