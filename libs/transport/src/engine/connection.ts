import type { NodeName } from '@sdnode/wire';
import type { PeerInfo } from '../transport.js';
import { randomNonce, sessionKey } from '../handshake-digest.js';
import type { OutboundStream } from './carrier.js';
import { DelayLine } from './delay-line.js';
import { canTransition, initialState, type ConnectionState, type Role } from './connection-state.js';
import type { StreamDecoder, StreamEncoder } from './frame-format.js';
import { OutboundQueue } from './outbound-queue.js';

/**
 * One connection attempt with one peer, and once up, one connection epoch. It owns its two
 * streams (the outbound stream it dialed and the binding of the peer's inbound stream), their
 * codecs (which live exactly as long as the streams), its outbound queue and its timers.
 * The protocol logic lives in the engine; this object only holds state.
 */
export class Connection {
  state: ConnectionState;
  readonly sessionKey: string;
  /** The challenge this side sent (initiator: in HELLO; acceptor: in CHALLENGE). */
  readonly challenge = randomNonce();

  peerCreation = 0;
  peerHidden = false;
  /** Set once up. */
  epoch = 0;
  info: PeerInfo | undefined;

  stream: OutboundStream | undefined;
  decoder: StreamDecoder | undefined;
  inStreamId: string | undefined;
  readonly queue = new OutboundQueue();
  /** Batches taken from the queue and held by the outbound delay (see OutboundWriter). */
  readonly delayed = new DelayLine();
  /** Wakes the writer when the oldest held batch is due. */
  delayTimer: NodeJS.Timeout | undefined;
  writing = false;
  /** The writer loop's stream and the batch it is writing (OutboundWriter). */
  writeStream: OutboundStream | undefined;
  writeFrames = 0;
  writeBytes = 0;
  /** The writer loop's callbacks for this connection's writes, made on its first write. */
  onWritten: (() => void) | undefined;
  onWriteFailed: ((err: unknown) => void) | undefined;
  flushScheduled = false;
  /** When set, the outbound stream closes (after this flush time) once the queue is drained. */
  closeAfterDrainMs: number | undefined;

  lastReceived = Date.now();
  lastSent = Date.now();
  handshakeTimer: NodeJS.Timeout | undefined;
  /** The attempt's handshake timeout, ms. */
  handshakeTimeoutMs = 0;
  /** Does the deadline start again at each step (AttemptFailures.restartHandshakeTimer)? Not when a connect() call gave its own timeout. */
  handshakePerStep = true;
  readonly dialAbort = new AbortController();
  /** Acceptor only: the session of our own initiator attempt this connection superseded (simultaneous connect, or still dialling). */
  abandonedSessionKey: string | undefined;

  constructor(
    readonly role: Role,
    readonly peerName: NodeName,
    /** Address to dial: resolved (initiator) or advertised in HELLO (acceptor). */
    public peerAddress: string,
    /** The initiator's session id (random for an initiator, taken from HELLO for an acceptor). */
    readonly session: Uint8Array,
    readonly encoder: StreamEncoder,
  ) {
    this.state = initialState(role);
    this.sessionKey = sessionKey(session);
  }

  /** Move to `to` if the state machine allows it; returns false (and changes nothing) otherwise. */
  moveTo(to: ConnectionState): boolean {
    if (!canTransition(this.state, to)) return false;
    this.state = to;
    return true;
  }

  get isPending(): boolean {
    return this.state === 'connecting' || this.state === 'handshaking_initiator' || this.state === 'handshaking_acceptor';
  }

  stopTimers(): void {
    if (this.handshakeTimer !== undefined) {
      clearTimeout(this.handshakeTimer);
      this.handshakeTimer = undefined;
    }
  }

  describe(): Record<string, unknown> {
    return { peer: this.peerName, role: this.role, state: this.state, epoch: this.epoch, session: this.sessionKey.slice(0, 8) };
  }
}
