import type { StartType } from '../application/application-spec.js';

/**
 * The vocabulary of the distributed application protocol (docs/protocols/distributed-applications.md):
 * what one candidate node's machine takes in (events) and asks its driver to do (effects), and
 * the messages candidates exchange on the CONTROL channel `sdnode.dist_app`.
 */

/** One distributed application as the cluster configuration declares it. */
export interface DistAppSpec {
  readonly name: string;
  /** Milliseconds to wait for a failed node (and, at start, for the other candidates) before starting elsewhere. */
  readonly failoverTimeout: number;
  /** Candidate nodes by priority: `[[n1], [n2, n3]]` is Erlang's `[n1, {n2, n3}]`. */
  readonly nodes: readonly (readonly string[])[];
}

/** Where a node's instance of the application is. */
export type Phase = 'idle' | 'starting' | 'running' | 'stopping' | 'retired';

/** The phases in which the node holds an instance (it counts as running it). */
export const INSTANCE_PHASES: ReadonlySet<Phase> = new Set<Phase>(['starting', 'running', 'stopping']);

/** Why an instance is being stopped. */
export type StopWhy = 'takeover' | 'conflict' | 'shutdown';

/** The CONTROL channel of the protocol. */
export const DIST_APP_CHANNEL = 'sdnode.dist_app';
/** The protocol version every message carries. */
export const DIST_APP_PROTOCOL_VERSION = 1;

/** A node's status for one application: sent on nodeup and on every change. */
export interface StatusMessage {
  readonly v: number;
  readonly kind: 'status';
  readonly app: string;
  /** The sender holds an instance (starting, running or stopping). */
  readonly instance: boolean;
  /** The sender may start the application (false once it gave it up, for the rest of its incarnation). */
  readonly eligible: boolean;
  /**
   * The receiver answers with its own status. Set on the first status of a connection (the
   * sender's earlier status may have reached this node before its controller listened, at node
   * start), and on a final status (the sender gave the application up: the answers tell it that
   * its peers know, before its node goes away).
   */
  readonly hello: boolean;
}

/** A node of a better priority level asks the holder to stop its instance so that it can start one. */
export interface TakeoverMessage {
  readonly v: number;
  readonly kind: 'takeover';
  readonly app: string;
}

export type DistAppMessage = StatusMessage | TakeoverMessage;

/** Check a CONTROL body from the network; null when it is not a message of this protocol version. */
export function parseDistAppMessage(body: unknown): DistAppMessage | null {
  if (typeof body !== 'object' || body === null) return null;
  const m = body as Record<string, unknown>;
  if (m['v'] !== DIST_APP_PROTOCOL_VERSION || typeof m['app'] !== 'string') return null;
  if (m['kind'] === 'status' && typeof m['instance'] === 'boolean' && typeof m['eligible'] === 'boolean' && typeof m['hello'] === 'boolean') {
    return { v: DIST_APP_PROTOCOL_VERSION, kind: 'status', app: m['app'], instance: m['instance'], eligible: m['eligible'], hello: m['hello'] };
  }
  if (m['kind'] === 'takeover') return { v: DIST_APP_PROTOCOL_VERSION, kind: 'takeover', app: m['app'] };
  return null;
}

export type MachineEvent =
  /** The controller starts: the first decision (usually: arm the failover timer until the others are heard). */
  | { readonly type: 'init' }
  | { readonly type: 'nodeup'; readonly peer: string }
  | { readonly type: 'nodedown'; readonly peer: string }
  | { readonly type: 'status'; readonly from: string; readonly instance: boolean; readonly eligible: boolean; readonly hello: boolean }
  | { readonly type: 'takeover'; readonly from: string }
  | { readonly type: 'timeout'; readonly timer: number }
  | { readonly type: 'started' }
  | { readonly type: 'start_failed' }
  | { readonly type: 'stopped' }
  /** The instance ended by itself (the application exited); this node gives the application up. */
  | { readonly type: 'exited' }
  /** The node is going down: stop the instance, give the application up. */
  | { readonly type: 'shutdown' };

export type Effect =
  | { readonly type: 'send'; readonly to: string; readonly message: DistAppMessage }
  | { readonly type: 'start'; readonly startType: StartType }
  | { readonly type: 'stop'; readonly why: StopWhy }
  | { readonly type: 'arm_timer'; readonly timer: number; readonly ms: number }
  | { readonly type: 'cancel_timer'; readonly timer: number };

/** What a peer last said about itself, in the current connection. */
export interface PeerView {
  readonly instance: boolean;
  readonly eligible: boolean;
  /** Not yet counted as synced: we are stopping our instance because this better peer holds one too. */
  readonly deferred: boolean;
}

/** A machine's state, for introspection (rpc `sdnode.dist_apps.info`) and reports. */
export interface MachineSnapshot {
  readonly app: string;
  readonly node: string;
  readonly phase: Phase;
  readonly eligible: boolean;
  /** Connected candidates; `status` is null until their first status arrived in this connection. */
  readonly peers: Readonly<Record<string, PeerView | null>>;
  /** Nodes this node knows to hold an instance (itself included). */
  readonly holders: readonly string[];
  readonly timerArmed: boolean;
  readonly awaitingTakeoverFrom: string | null;
  /** Given up, no instance, and every connected candidate has acknowledged it. */
  readonly handedOver: boolean;
}
