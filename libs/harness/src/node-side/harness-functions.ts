import type { Node, RpcFunction } from '@sdnode/core';
import { InvalidArgumentError, type Pid } from '@sdnode/wire';
import type { Registry } from '@sdnode/registry';
import type { SGroups } from '@sdnode/sgroups';
import type { Placement } from '@sdnode/placement';
import { connectionsOf, type NodeConnections } from './connections.js';
import type { PartitionFilterPolicy } from './partition-filter.js';
import { summariseScopes, type ScopeSummary } from './registry-functions.js';
import { summariseSGroups, type SGroupsSummary } from './sgroup-functions.js';
import { summarisePlacement, type PlacementSummary } from './placement-rpc.js';

/** The rpc functions a harness node answers (registered by `sdnode start`). */
export const HarnessFunctions = {
  /** `() => NodeState`: everything the state report shows. */
  state: 'sdnode.harness.state',
  /** `() => ProcessSummary[]`. */
  processes: 'sdnode.harness.processes',
  /** `() => Record<string, Pid>`: the locally registered names. */
  registered: 'sdnode.harness.registered',
  /** `() => NodeConnections`: connected nodes by kind (visible, point to point, hidden). */
  connections: 'sdnode.harness.connections',
  /** `(name, address?) => void`: connect this node to another one. */
  connect: 'sdnode.harness.connect',
  /** `(nodes: string[]) => void`: local-mode partition (only with `--fault-hooks`). */
  block: 'sdnode.harness.block',
  /** `() => void`: lift every block (only with `--fault-hooks`). */
  unblock: 'sdnode.harness.unblock',
  /** `(ms: number) => void`: hold every frame the node sends for `ms` (0 lifts it; only with `--fault-hooks`). */
  delay: 'sdnode.harness.delay',
} as const;

/**
 * What the delay fault acts on: the node's transport, or the Node (which passes it on to its
 * transport). See Transport.setOutboundDelay.
 */
export interface OutboundDelayTarget {
  readonly outboundDelay: number;
  setOutboundDelay(ms: number): void;
}

/** One process, as the state report shows it. */
export interface ProcessSummary {
  readonly pid: Pid;
  readonly name: string | null;
  readonly type: string;
  readonly status: string;
  readonly queue: number;
}

/** A node's state as seen from inside it. */
export interface NodeState {
  readonly name: string;
  readonly creation: number;
  /** Connected visible nodes (`node.nodes()`; with s_groups, those of its groups or the free ones). */
  readonly nodes: string[];
  /** Connected visible nodes that are not in `nodes` (point-to-point connections). */
  readonly pointToPoint: string[];
  readonly hiddenNodes: string[];
  readonly processCount: number;
  /** At most `limit` processes (the first ones, by pid order). */
  readonly processes: ProcessSummary[];
  readonly registered: Record<string, Pid>;
  /** Nodes cut off by a local-mode partition. */
  readonly blocked: string[];
  /** The delay (ms) every frame this node sends is held for (`cluster.delay`); 0: none. */
  readonly outboundDelay: number;
  /** The node's registry scopes (absent when it runs no registry). */
  readonly scopes?: ScopeSummary[];
  /** The node's s_groups (absent when it runs none). */
  readonly sgroups?: SGroupsSummary;
  /** The node's placement view: the nodes it knows, their location, load and round trip (absent when it runs no placement). */
  readonly placement?: PlacementSummary;
}

function summaries(node: Node, limit: number): ProcessSummary[] {
  const out: ProcessSummary[] = [];
  for (const pid of node.processes()) {
    if (out.length >= limit) break;
    const info = node.processInfo(pid);
    if (info === undefined) continue;
    out.push({ pid, name: info.name ?? null, type: info.type, status: info.status, queue: info.messageQueueLength });
  }
  return out;
}

function registeredNames(node: Node): Record<string, Pid> {
  const out: Record<string, Pid> = {};
  for (const name of node.registered()) {
    const pid = node.whereis(name);
    if (pid !== undefined) out[name] = pid;
  }
  return out;
}

function nodeList(value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((n) => typeof n === 'string')) throw new InvalidArgumentError('nodes', 'expected an array of node names');
  return value as string[];
}

/**
 * The harness functions of a node. With a PartitionFilterPolicy (`sdnode start --fault-hooks`),
 * also `block` and `unblock`, through which the harness partitions local clusters. With a delay
 * target (the node itself with `--fault-hooks`, in both harness modes), also `delay`, through
 * which the harness slows down what the node sends. With a registry, the state shows its scopes;
 * with s_groups, the node's kind and groups; with placement, the nodes its view holds.
 */
export function harnessFunctions(
  node: Node,
  filter?: PartitionFilterPolicy,
  registry?: Registry,
  sgroups?: SGroups,
  delay?: OutboundDelayTarget,
  placement?: Placement,
): Record<string, RpcFunction> {
  const functions: Record<string, RpcFunction> = {
    [HarnessFunctions.state]: (limit: unknown = 200): NodeState => {
      const info = node.info();
      const connections = connectionsOf(node);
      return {
        name: info.name,
        creation: info.creation,
        nodes: connections.visible,
        pointToPoint: connections.pointToPoint,
        hiddenNodes: connections.hidden,
        processCount: info.processCount,
        processes: summaries(node, typeof limit === 'number' ? limit : 200),
        registered: registeredNames(node),
        blocked: filter?.blockedNodes() ?? [],
        outboundDelay: delay?.outboundDelay ?? node.outboundDelay,
        ...(registry !== undefined ? { scopes: summariseScopes(registry) } : {}),
        ...(sgroups !== undefined ? { sgroups: summariseSGroups(sgroups) } : {}),
        ...(placement !== undefined ? { placement: summarisePlacement(placement) } : {}),
      };
    },
    [HarnessFunctions.connections]: (): NodeConnections => connectionsOf(node),
    [HarnessFunctions.processes]: () => summaries(node, Number.MAX_SAFE_INTEGER),
    [HarnessFunctions.registered]: () => registeredNames(node),
    [HarnessFunctions.connect]: async (name: unknown, address?: unknown, timeout?: unknown) => {
      if (typeof name !== 'string') throw new InvalidArgumentError('name', 'expected a node name');
      await node.connect(name, {
        ...(typeof address === 'string' ? { address } : {}),
        timeout: typeof timeout === 'number' ? timeout : 5000,
      });
    },
  };
  if (filter !== undefined) {
    functions[HarnessFunctions.block] = (nodes: unknown) => filter.block(nodeList(nodes));
    functions[HarnessFunctions.unblock] = () => filter.unblock();
  }
  if (delay !== undefined) {
    functions[HarnessFunctions.delay] = (ms: unknown) => {
      if (typeof ms !== 'number') throw new InvalidArgumentError('ms', `expected a number of ms, got ${typeof ms}`);
      delay.setOutboundDelay(ms); // checks the range (InvalidArgumentError)
    };
  }
  return functions;
}
