import type { FrameKind } from '@sdnode/wire';

/**
 * The state machine of one connection attempt (docs/protocols/handshake.md, "States").
 *
 *   (peer idle) --connect/send--> connecting --CHALLENGE ok--> handshaking_initiator --ACK--> up --> down
 *   (peer idle) --HELLO ok------> handshaking_acceptor --CHALLENGE_REPLY ok--> up --> down
 *   any state except down --failure/timeout/abandon--> down
 *
 * `connecting`: we initiated; HELLO is queued or sent while the outbound stream opens; waiting
 * for the acceptor's CHALLENGE. `handshaking_initiator`: we answered the CHALLENGE with
 * CHALLENGE_REPLY and wait for CHALLENGE_ACK. `handshaking_acceptor`: we accepted a HELLO, sent
 * CHALLENGE and wait for CHALLENGE_REPLY. `up`: distribution frames flow. `down`: final.
 */
export type ConnectionState = 'connecting' | 'handshaking_initiator' | 'handshaking_acceptor' | 'up' | 'down';

export type Role = 'initiator' | 'acceptor';

const TRANSITIONS: Readonly<Record<ConnectionState, readonly ConnectionState[]>> = {
  connecting: ['handshaking_initiator', 'down'],
  handshaking_initiator: ['up', 'down'],
  handshaking_acceptor: ['up', 'down'],
  up: ['down'],
  down: [],
};

export function canTransition(from: ConnectionState, to: ConnectionState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** The state a new connection starts in. */
export function initialState(role: Role): ConnectionState {
  return role === 'initiator' ? 'connecting' : 'handshaking_acceptor';
}

const DIST_KINDS: ReadonlySet<unknown> = new Set<FrameKind>([
  'send',
  'reg_send',
  'link',
  'unlink',
  'exit',
  'exit2',
  'monitor',
  'demonitor',
  'monitor_down',
  'spawn_request',
  'spawn_reply',
  'nodes',
  'control',
]);

/** True for distribution frames (opaque to the transport, valid only when up). */
export function isDistKind(kind: unknown): boolean {
  return DIST_KINDS.has(kind);
}

/**
 * Which inbound frame kinds are valid on a stream bound to a connection in each state. HELLO
 * never appears here: it only opens a new stream. `dist` stands for every distribution frame.
 */
const VALID_INBOUND: Readonly<Record<ConnectionState, ReadonlySet<FrameKind | 'dist'>>> = {
  connecting: new Set<FrameKind | 'dist'>(['challenge', 'refuse']),
  handshaking_initiator: new Set<FrameKind | 'dist'>(['challenge_ack', 'refuse', 'tick']),
  handshaking_acceptor: new Set<FrameKind | 'dist'>(['challenge_reply', 'refuse', 'tick']),
  up: new Set<FrameKind | 'dist'>(['dist', 'tick', 'refuse']),
  down: new Set<FrameKind | 'dist'>(),
};

export function isValidInbound(state: ConnectionState, kind: unknown): boolean {
  const valid = VALID_INBOUND[state];
  return isDistKind(kind) ? valid.has('dist') : valid.has(kind as FrameKind);
}
