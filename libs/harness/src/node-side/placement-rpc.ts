import { BUILTIN_ATTRIBUTES, PlacementFunctions, type AttributeValue, type Attributes, type Explanation, type Location, type Placement, type PlacementInfo, type PlacementSpec } from '@sdnode/placement';

/**
 * Placement on the nodes of a test cluster. The rpc functions themselves are @sdnode/placement's
 * (PlacementFunctions, registered by `Placement.start`, which `sdnode start` runs on every visible
 * node); PlacementRpc calls them on a node with their types, so a test asks a node to choose or
 * explain exactly as the node's own code would, from that node's view of the cluster.
 */

/** One node of a node's placement view, as `sdnode.placement.nodes` answers (rtt null until measured). */
export interface PlacementNodeView {
  readonly node: string;
  readonly attributes: Attributes;
  readonly location: Location;
  /** ms since its last report arrived there. */
  readonly age: number;
  readonly rtt: number | null;
}

/** What drives the rpc (a Cluster, or anything with its `rpc`). */
export interface PlacementRpcTarget {
  rpc<T = unknown>(node: string, fn: string, args?: readonly unknown[], options?: { readonly timeout?: number; readonly signal?: AbortSignal }): Promise<T>;
}

export interface PlacementRpcOptions {
  readonly timeout?: number;
  readonly signal?: AbortSignal;
}

/**
 * Typed calls of a node's placement functions through the cluster's driver:
 *
 * ```ts
 * const placement = new PlacementRpc(cluster);
 * await placement.setAttribute('n2', 'gpu', true);
 * await cluster.waitUntil(async () => (await placement.attributes('n1', 'n2@127.0.0.2'))?.gpu === true);
 * expect(await placement.choose('n1', { where: { gpu: true } })).toEqual(['n2@127.0.0.2']);
 * ```
 *
 * Errors are the node's: a RemoteCallError whose `error.name` is NoEligibleNodeError,
 * UnknownPlacementPolicyError or InvalidPlacementSpecError; UnknownFunctionError when the node
 * runs no placement (a hidden node).
 */
export class PlacementRpc {
  /** The rpc function names (@sdnode/placement's PlacementFunctions). */
  static readonly functions = PlacementFunctions;

  constructor(private readonly target: PlacementRpcTarget) {}

  /** Every node `node` knows with the constraint that excluded it or its score, and what it would choose now. */
  explain(node: string, spec: PlacementSpec | string, options: PlacementRpcOptions = {}): Promise<Explanation> {
    return this.target.rpc<Explanation>(node, PlacementFunctions.explain, [spec], options);
  }

  /** A decision on `node` (nothing is spawned): `count` nodes (default the spec's count). */
  choose(node: string, spec: PlacementSpec | string, count?: number, options: PlacementRpcOptions = {}): Promise<string[]> {
    return this.target.rpc<string[]>(node, PlacementFunctions.choose, count === undefined ? [spec] : [spec, count], options);
  }

  /** `node`'s view: every node it knows (itself included), name order. */
  nodes(node: string, options: PlacementRpcOptions = {}): Promise<PlacementNodeView[]> {
    return this.target.rpc<PlacementNodeView[]>(node, PlacementFunctions.nodes, [], options);
  }

  /** The attributes of `of` as `node` last heard them (undefined: `node` does not know `of`). */
  async attributes(node: string, of: string, options: PlacementRpcOptions = {}): Promise<Attributes | undefined> {
    return (await this.nodes(node, options)).find((r) => r.node === of)?.attributes;
  }

  /** Names of the nodes `node` knows, itself included, name order. */
  async known(node: string, options: PlacementRpcOptions = {}): Promise<string[]> {
    return (await this.nodes(node, options)).map((r) => r.node);
  }

  info(node: string, options: PlacementRpcOptions = {}): Promise<PlacementInfo> {
    return this.target.rpc<PlacementInfo>(node, PlacementFunctions.info, [], options);
  }

  /** Set a user-defined attribute on `node` (its peers hear of it at once). */
  async setAttribute(node: string, name: string, value: AttributeValue, options: PlacementRpcOptions = {}): Promise<void> {
    await this.target.rpc(node, PlacementFunctions.setAttribute, [name, value], options);
  }

  async deleteAttribute(node: string, name: string, options: PlacementRpcOptions = {}): Promise<void> {
    await this.target.rpc(node, PlacementFunctions.setAttribute, [name, null], options);
  }
}

/** One known node in the state report: location, load, round trip, and its non-built-in attributes. */
export interface PlacementNodeSummary {
  readonly node: string;
  readonly location: Location;
  /** ms since its last report arrived. */
  readonly age: number;
  readonly rtt: number | null;
  /** The default least_loaded attribute (elu), absent when not reported. */
  readonly load?: number;
  readonly processes?: number;
  /** The static and user-defined attributes (the built-ins other than load and processes left out). */
  readonly attributes: Record<string, AttributeValue>;
}

/** A node's placement as the state report shows it. */
export interface PlacementSummary {
  readonly levels: readonly string[];
  readonly location: Location;
  readonly policies: readonly string[];
  /** How many nodes it knows (itself included). */
  readonly known: number;
  /** The first 20 of them, name order. */
  readonly nodes: readonly PlacementNodeSummary[];
  /** Placement messages dropped as malformed. */
  readonly dropped: number;
}

const BUILTINS: ReadonlySet<string> = new Set(Object.keys(BUILTIN_ATTRIBUTES));
const SHOWN_NODES = 20;

export function summarisePlacement(placement: Placement): PlacementSummary {
  const info = placement.info();
  const reports = placement.nodes();
  return {
    levels: [...info.levels],
    location: { ...info.location },
    policies: [...info.policies],
    known: reports.length,
    dropped: info.droppedMessages,
    nodes: reports.slice(0, SHOWN_NODES).map((r) => {
      const load = r.attributes['load'];
      const processes = r.attributes['processes'];
      return {
        node: r.node,
        location: { ...r.location },
        age: r.age,
        rtt: r.rtt ?? null,
        ...(typeof load === 'number' ? { load } : {}),
        ...(typeof processes === 'number' ? { processes } : {}),
        attributes: Object.fromEntries(Object.entries(r.attributes).filter(([k]) => !BUILTINS.has(k))),
      };
    }),
  };
}
