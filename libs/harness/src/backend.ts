import type { NodeLog } from './logs/node-log.js';

/** A node of a cluster, fully resolved: what a backend needs to start it. */
export interface ResolvedNode {
  /** `name@host`. */
  readonly name: string;
  /** The part before `@` (`n1`). */
  readonly shortName: string;
  /** The part after `@`: a loopback address (local) or the network alias (containers). */
  readonly host: string;
  readonly hidden: boolean;
  /** Names of the nodes this one connects to at start (and keeps reconnecting to). */
  readonly seeds: readonly string[];
  /** More `sdnode start` flags. */
  readonly args: readonly string[];
  /** Local mode: the endpoint to bind (default `tcp://HOST:0`, a port from the OS). */
  readonly listen?: string;
}

/** How a backend reports one incarnation of a node. */
export interface NodeInstance {
  /** The address the driver dials (`tcp://IP:PORT`). */
  readonly dialAddress: string;
  /** The address the node advertises to other nodes (what seeds use). */
  readonly advertisedAddress: string;
  /** The node's creation number (from its `listening` line). */
  readonly creation: number;
  /** `os pid 1234` or `container 3f2a...`, for reports. */
  readonly where: string;
  /** Resolves once, with how the instance ended (`killed by SIGKILL`, `exited with code 0`...). */
  readonly ended: Promise<string>;
  /** SIGKILL (`docker kill`): no goodbye on the wire. Resolves once it has ended. */
  kill(timeoutMs: number): Promise<void>;
  /** Graceful stop (SIGTERM: the node closes its connections), SIGKILL after `timeoutMs`. */
  stop(timeoutMs: number): Promise<void>;
  /** SIGSTOP (`docker pause`): sockets stay open, nothing runs. */
  freeze(): Promise<void>;
  /** SIGCONT (`docker unpause`). */
  thaw(): Promise<void>;
}

export interface StartRequest {
  readonly node: ResolvedNode;
  /** Seed name -> the address the node dials it at. */
  readonly seedAddresses: Readonly<Record<string, string>>;
  readonly log: NodeLog;
  /** The advertised address of an earlier incarnation, to be kept on restart (local mode). */
  readonly previous?: NodeInstance;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/** Where the test driver's hidden node listens and what it advertises. */
export interface DriverEndpoint {
  readonly listen: string;
  readonly advertise?: string;
}

/**
 * Runs nodes somewhere: as local OS processes or as containers. The Cluster drives it; one
 * backend instance belongs to one cluster.
 */
export interface ClusterBackend {
  readonly mode: 'local' | 'containers' | 'multi';
  /** Where the driver listens so that every node can reach it. */
  driverEndpoint(): DriverEndpoint;
  /** The host part of a node's name for a short name given without one (`n1` -> `127.0.0.2`). */
  hostFor(shortName: string, index: number): string;
  /** The address other nodes use for a node, when it is known before the node starts. */
  plannedAddress(node: ResolvedNode): string | undefined;
  start(request: StartRequest): Promise<NodeInstance>;
  /** Cut the network between every pair of nodes in different sides. */
  partition(sides: readonly (readonly ResolvedNode[])[], driver: PartitionDriver): Promise<void>;
  /** Undo every partition. */
  heal(nodes: readonly ResolvedNode[], driver: PartitionDriver): Promise<void>;
  /** Release everything the backend holds (networks, rules); nodes are stopped before. */
  close(): Promise<void>;
}

/** What a backend may ask the cluster for while partitioning (local mode uses rpc). */
export interface PartitionDriver {
  rpc(node: string, fn: string, args: readonly unknown[]): Promise<unknown>;
  /** The running instance of a node, if any. */
  instance(node: string): NodeInstance | undefined;
}
