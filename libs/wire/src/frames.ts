import type { Pid } from './pid.js';
import type { Ref } from './ref.js';
import type { ExitReason } from './exit-reason.js';
import type { Term } from './term.js';
import type { WireError } from './errors/sdnode-error.js';

/**
 * The frames of the node protocol (docs/protocols/handshake.md, docs/protocols/distribution.md).
 * On the wire each frame is a CBOR array `[op, ...fields]` with the numeric op below; several
 * frames travel as one CBOR sequence in one ZeroMQ message (a batch).
 *
 * Handshake frames (ops 1-9) are valid only before a connection is up; distribution frames
 * (ops 16+) only after. TICK is valid in both.
 */
export const PROTOCOL_VERSION = 2;
/** Version 2 added the node-name tables (NAMES frames, packed references): 1 cannot talk to 2. */
export const SUPPORTED_VERSIONS: readonly number[] = [2];

export const Op = {
  HELLO: 1,
  CHALLENGE: 2,
  CHALLENGE_REPLY: 3,
  CHALLENGE_ACK: 4,
  REFUSE: 5,
  TICK: 6,
  SEND: 16,
  REG_SEND: 17,
  LINK: 18,
  UNLINK: 19,
  EXIT: 20,
  EXIT2: 21,
  MONITOR: 22,
  DEMONITOR: 23,
  MONITOR_DOWN: 24,
  SPAWN_REQUEST: 25,
  SPAWN_REPLY: 26,
  NODES: 27,
  CONTROL: 28,
  /**
   * `[29, first, [node, ...]]`: entries of the sender's node-name table (codec/node-name-table.ts).
   * Written and consumed by FrameCodec itself: it is never a Frame handed to the transport.
   */
  NAMES: 29,
} as const;
export type OpCode = (typeof Op)[keyof typeof Op];

export interface NodeFlags {
  /** A hidden node never joins anyone's transitive mesh. */
  readonly hidden: boolean;
}

// ---- handshake (transport) ----

/** Initiator -> acceptor, first frame on the initiator's outbound socket. */
export interface HelloFrame {
  readonly kind: 'hello';
  readonly version: number;
  readonly name: string;
  readonly creation: number;
  readonly flags: NodeFlags;
  /** The initiator's advertised listen address, where the acceptor dials back. */
  readonly address: string;
  /** Random 16+ bytes the acceptor must answer with an HMAC. */
  readonly challenge: Uint8Array;
  /** Random session id of this connection attempt (binds all handshake frames together). */
  readonly session: Uint8Array;
}

/** Acceptor -> initiator, first frame on the acceptor's outbound socket. */
export interface ChallengeFrame {
  readonly kind: 'challenge';
  readonly version: number;
  readonly name: string;
  readonly creation: number;
  readonly flags: NodeFlags;
  readonly address: string;
  /** The initiator's session, echoed. */
  readonly session: Uint8Array;
  /** HMAC proving the acceptor knows the cookie (over the initiator's challenge). */
  readonly digest: Uint8Array;
  /** The acceptor's own challenge for the initiator. */
  readonly challenge: Uint8Array;
}

/** Initiator -> acceptor: the initiator's answer to the acceptor's challenge. */
export interface ChallengeReplyFrame {
  readonly kind: 'challenge_reply';
  readonly session: Uint8Array;
  readonly digest: Uint8Array;
}

/** Acceptor -> initiator: the acceptor accepted the reply; the connection is up on both sides. */
export interface ChallengeAckFrame {
  readonly kind: 'challenge_ack';
  readonly session: Uint8Array;
}

/**
 * Either side during the handshake: the attempt is refused (reason is for logs).
 * After up, reason `closed` on the sender's outbound stream: the sender is closing the connection
 * (a ZeroMQ Router cannot tell that one peer's Dealer went away, so the closer says so).
 */
export interface RefuseFrame {
  readonly kind: 'refuse';
  readonly session: Uint8Array;
  readonly reason: 'version' | 'not_allowed' | 'duplicate' | 'simultaneous' | 'bad_cookie' | 'busy' | 'closed';
}

export interface TickFrame {
  readonly kind: 'tick';
}

// ---- distribution (core) ----

export interface SendFrame {
  readonly kind: 'send';
  readonly to: Pid;
  readonly msg: Term;
}

export interface RegSendFrame {
  readonly kind: 'reg_send';
  readonly from: Pid;
  readonly name: string;
  readonly msg: Term;
}

export interface LinkFrame {
  readonly kind: 'link';
  readonly from: Pid;
  readonly to: Pid;
}

export interface UnlinkFrame {
  readonly kind: 'unlink';
  readonly from: Pid;
  readonly to: Pid;
}

/** Exit signal caused by a link (the linked process `from` exited with `reason`). */
export interface ExitFrame {
  readonly kind: 'exit';
  readonly from: Pid;
  readonly to: Pid;
  readonly reason: ExitReason;
}

/** Exit signal sent explicitly with `exit(pid, reason)`; `kill` is untrappable. */
export interface Exit2Frame {
  readonly kind: 'exit2';
  readonly from: Pid;
  readonly to: Pid;
  readonly reason: ExitReason;
}

/** `from` monitors `to` (a pid, or a name registered on the receiving node). */
export interface MonitorFrame {
  readonly kind: 'monitor';
  readonly from: Pid;
  readonly to: Pid | string;
  readonly ref: Ref;
}

export interface DemonitorFrame {
  readonly kind: 'demonitor';
  readonly from: Pid;
  readonly to: Pid | string;
  readonly ref: Ref;
}

/** The monitored process `from` exited; `to` is the watcher. */
export interface MonitorDownFrame {
  readonly kind: 'monitor_down';
  readonly from: Pid | string;
  readonly to: Pid;
  readonly ref: Ref;
  readonly reason: ExitReason;
}

export interface SpawnOptionsOnWire {
  /** Link the new process to `from` atomically with the spawn. */
  readonly link?: boolean;
  /** Register the new process under this local name. */
  readonly name?: string;
  /**
   * Monitor the new process for `from` before it runs, with the request's `ref` as the monitor
   * ref (Erlang's spawn_request `monitor` option): its exit is reported by MONITOR_DOWN, never
   * as `noproc`, however soon it exits.
   */
  readonly monitor?: boolean;
}

export interface SpawnRequestFrame {
  readonly kind: 'spawn_request';
  readonly ref: Ref;
  readonly from: Pid;
  readonly type: string;
  readonly args: readonly Term[];
  readonly opts: SpawnOptionsOnWire;
}

export interface SpawnReplyFrame {
  readonly kind: 'spawn_reply';
  readonly ref: Ref;
  readonly to: Pid;
  /** The new pid, or the error that prevented the spawn. */
  readonly result: Pid | WireError;
}

export interface NodeAddress {
  readonly name: string;
  readonly address: string;
}

/** Connection-policy gossip: the visible nodes the sender is connected to. */
export interface NodesFrame {
  readonly kind: 'nodes';
  readonly nodes: readonly NodeAddress[];
}

/** A frame of a higher-level protocol (s_groups, registry...), routed by channel. */
export interface ControlFrame {
  readonly kind: 'control';
  readonly channel: string;
  readonly body: Term;
}

export type HandshakeFrame = HelloFrame | ChallengeFrame | ChallengeReplyFrame | ChallengeAckFrame | RefuseFrame;

export type DistFrame =
  | SendFrame
  | RegSendFrame
  | LinkFrame
  | UnlinkFrame
  | ExitFrame
  | Exit2Frame
  | MonitorFrame
  | DemonitorFrame
  | MonitorDownFrame
  | SpawnRequestFrame
  | SpawnReplyFrame
  | NodesFrame
  | ControlFrame;

export type Frame = HandshakeFrame | TickFrame | DistFrame;
export type FrameKind = Frame['kind'];
