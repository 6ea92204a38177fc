import type { CarrierName, CurveKeys, Transport, TransportStats } from '@sdnode/transport';
import type { ProcessType } from './process-type.js';
import type { RpcFunction } from './rpc-server.js';
import type { ConnectionPolicy } from './connection-policy.js';
import type { CoreLogger } from './logger.js';
import type { SchedulerOptions } from './scheduler.js';
import type { WorkerPoolOptions } from './worker-pool.js';
import type { Pid, Ref } from '@sdnode/wire';

export interface NodeOptions {
  /** `name@host`. */
  readonly name: string;
  readonly cookie: string;
  /**
   * The transport to use (MemoryTransport in unit tests). Default: the transport of `carrier` from
   * @sdnode/transport built from the options below. `null`: a local-only node (every other node
   * is unreachable).
   */
  readonly transport?: Transport | null;
  /**
   * The carrier of the default transport: `net` (NetTransport: ZMTP spoken on node:net sockets,
   * on the event loop) or `zmq` (ZmqTransport: zeromq.js and libzmq's I/O thread). Both speak
   * ZMTP 3, so nodes on either carrier connect to each other. Default: DEFAULT_CARRIER of
   * @sdnode/transport (see docs/architecture.md, "Transport"). Ignored when `transport` is given.
   */
  readonly carrier?: CarrierName;
  /**
   * CurveZMQ encryption of every connection with this cluster-wide keypair (Z85 strings, as made
   * by `sdnode curve keygen`): needs the `zmq` carrier, the default carrier when `curve` is given;
   * with `carrier: 'net'` the node refuses to start (InvalidArgumentError). Every node of the
   * cluster needs the same keypair; nodes without it, or with another, cannot connect.
   */
  readonly curve?: CurveKeys;
  /** TCP endpoint to listen on, `tcp://host:port` (default `tcp://127.0.0.1:0`, port from the OS). */
  readonly listen?: string;
  /** Address other nodes dial (default: the bound endpoint). */
  readonly advertise?: string;
  /** A hidden node connects without joining anyone's transitive mesh (tools, the CLI). */
  readonly hidden?: boolean;
  /** Net tick time in ms (default 60000). */
  readonly netTickTime?: number;
  /**
   * The default transport's liveness side-channel (ms; off by default): a worker thread vouches
   * for this node to its peers while the event loop is blocked by synchronous work, for at most
   * this long, so that a merely busy node is not declared down. Peers need it too. See
   * docs/protocols/handshake.md, "Ticks".
   */
  readonly maxUnresponsive?: number;
  /** Incarnation number (default: derived from the start time). */
  readonly creation?: number;
  /** Nodes to connect to at start (name -> address); failures are logged, not fatal. */
  readonly seeds?: Readonly<Record<string, string>>;
  /** Process types that can be spawned by name (also from other nodes). */
  readonly types?: readonly ProcessType[];
  /** Functions other nodes may call with rpc. */
  readonly functions?: Readonly<Record<string, RpcFunction>>;
  /** Who connects to whom; default FullMeshPolicy (transitive among visible nodes). */
  readonly connectionPolicy?: ConnectionPolicy;
  readonly logger?: CoreLogger;
  readonly scheduler?: SchedulerOptions;
  readonly workers?: WorkerPoolOptions;
}

export interface RunOptions {
  readonly timeout?: number;
  readonly signal?: AbortSignal;
}

export interface RpcOptions {
  /** Default 5000 ms. */
  readonly timeout?: number;
  readonly signal?: AbortSignal;
}

export interface NodeSpawnRemoteOptions {
  /** Link the new process, atomically, to this local process. */
  readonly link?: Pid;
  /** Register the new process under this name on its node. */
  readonly name?: string;
  /** Default 5000 ms. */
  readonly timeout?: number;
  readonly signal?: AbortSignal;
}

export interface NodeConnectOptions {
  readonly address?: string;
  readonly timeout?: number;
  readonly signal?: AbortSignal;
}

export interface NodeEventInfo {
  readonly hidden: boolean;
  readonly address: string;
  readonly creation: number;
  /** nodedown only: why the connection went down. */
  readonly reason?: string;
}

export interface NodeEvents {
  nodeup: [name: string, info: NodeEventInfo];
  nodedown: [name: string, info: NodeEventInfo];
  /** `stop` was called; `reason` is set when something asked the node to go down (not an operator). */
  stopping: [info: { readonly reason: string | null }];
}

export interface NodeStopOptions {
  /** Why the node goes down (logged, and given to `stopping` listeners): a non-null reason is a failure. */
  readonly reason?: string;
}

export type ProcessStatus = 'runnable' | 'waiting' | 'busy' | 'exiting';

export interface ProcessInfo {
  readonly pid: Pid;
  readonly name: string | undefined;
  /** The type name, or `anonymous` for spawnFn processes. */
  readonly type: string;
  readonly status: ProcessStatus;
  readonly messageQueueLength: number;
  readonly links: Pid[];
  readonly monitors: Ref[];
  readonly monitoredBy: number;
  readonly trapExit: boolean;
}

export interface NodeStats {
  readonly spawned: number;
  readonly exited: number;
  readonly crashed: number;
  readonly runQueue: number;
  readonly registeredNames: number;
  /** Incoming distribution frames dropped as malformed, forged or without a handler. */
  readonly droppedFrames: number;
  readonly transport: TransportStats | null;
}

/** A plain, serialisable snapshot (also what the `sdnode.info` rpc returns). */
export interface NodeInfo {
  readonly name: string;
  readonly creation: number;
  readonly address: string | null;
  readonly hidden: boolean;
  readonly processCount: number;
  readonly nodes: string[];
  readonly hiddenNodes: string[];
  readonly policy: string;
  readonly stats: NodeStats;
}
