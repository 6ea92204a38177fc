/**
 * The normalised cluster configuration: what the loader returns once every default is filled in
 * (plain, serialisable data), and the way back to a configuration document with every value
 * explicit, as data or YAML/JSON text. Loading that document gives the same ClusterConfig again.
 */
import { stringify } from 'yaml';
import { curveDocument, type CurveConfig, type CurveDocument } from './curve-settings.js';

/** Where the cluster's cookie comes from. A file path is absolute once normalised. */
export type CookieSource =
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'env'; readonly name: string }
  | { readonly kind: 'file'; readonly path: string };

/** A static node attribute value (for placement predicates). */
export type AttributeValue = string | number | boolean;

export interface NodeConfig {
  /** Full node name `name@host`. */
  readonly name: string;
  /** Host other nodes dial (IPv6 without brackets). */
  readonly host: string;
  /** Port of the node; 0 means chosen by the OS at start. */
  readonly port: number;
  /** ZeroMQ endpoint the node binds, `tcp://HOST:PORT`. */
  readonly listen: string;
  /** Endpoint other nodes dial; null when unknown before start (port 0 and no `advertise`). */
  readonly advertise: string | null;
  readonly hidden: boolean;
  /** The transport carrier the node runs on (@sdnode/transport); absent: the runtime's default. */
  readonly carrier?: CarrierName;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  /** Location level -> value, only the levels given (levels are `ClusterConfig.locationLevels`). */
  readonly location: Readonly<Record<string, string>>;
}

/**
 * The transport carriers a node can run on (the names of @sdnode/transport's CARRIERS, which
 * config may not import): `net`, ZMTP on node:net sockets, or `zmq`, zeromq.js. Both speak ZMTP 3
 * and connect to each other, so one cluster may mix them.
 */
export type CarrierName = 'zmq' | 'net';

export const CARRIER_NAMES: readonly CarrierName[] = Object.freeze(['zmq', 'net'] as const);

/** A distributed application: runs on the first live entry of `nodes`; each entry is a set of equal priority. */
export interface ApplicationConfig {
  readonly name: string;
  /** Milliseconds to wait for a failed node before restarting the application elsewhere. */
  readonly failoverTimeout: number;
  /** Priority levels, highest first; `[[n1], [n2, n3]]` is Erlang's `[n1, {n2, n3}]`. Full node names. */
  readonly nodes: readonly (readonly string[])[];
}

/** How a name scope's registrations are held: on every node, or on an owner plus `replicas` holders. */
export type RegistryMode = 'replicated' | 'partitioned';

/** How a name registered on both sides of a healed partition is resolved (see docs/config.md). */
export type ResolverName = 'exitLoser' | 'notifyBoth' | 'unregisterBoth';

export const REGISTRY_MODES: readonly RegistryMode[] = Object.freeze(['replicated', 'partitioned'] as const);
export const REGISTRY_RESOLVERS: readonly ResolverName[] = Object.freeze(['exitLoser', 'notifyBoth', 'unregisterBoth'] as const);
/** The most holders besides the owner a partitioned scope may have. */
export const MAX_REGISTRY_REPLICAS = 16;

/** Settings of a name scope of @sdnode/registry (the global scope: `ClusterConfig.registry`). */
export interface RegistryConfig {
  readonly mode: RegistryMode;
  /** Partitioned mode: holders of each name besides its owner. Kept, but not used, in replicated mode. */
  readonly replicas: number;
  readonly resolver: ResolverName;
  /** Milliseconds a deleted registration is remembered. */
  readonly tombstoneTtl: number;
}

// Placement policies (the data form of @sdnode/placement's PlacementSpec; config does not import it).

/** How the placement layer picks among the eligible nodes. */
export type PlacementStrategy = 'least_loaded' | 'random' | 'round_robin' | 'nearest' | 'key' | 'first';

export const PLACEMENT_STRATEGIES: readonly PlacementStrategy[] = Object.freeze([
  'least_loaded',
  'random',
  'round_robin',
  'nearest',
  'key',
  'first',
] as const);

/**
 * A condition on one node attribute: a bare value means `{eq: value}`; a mapping holds one or more
 * operators, all of which must hold. `exists: false` matches nodes without the attribute.
 */
export type PlacementAttributeCondition =
  | AttributeValue
  | {
      readonly eq?: AttributeValue;
      readonly ne?: AttributeValue;
      readonly lt?: number;
      readonly le?: number;
      readonly gt?: number;
      readonly ge?: number;
      readonly in?: readonly AttributeValue[];
      readonly exists?: boolean;
    };

/**
 * Stay close to a node, to the node holding a registered name, or (neither given) to the calling
 * node. At most one of `node` / `name`; `scope` only with `name`; `within` or `rtt` (or both);
 * `rtt` only relative to the caller.
 */
export interface PlacementNear {
  /** A full node name `name@host`. */
  readonly node?: string;
  /** A registered name; the node that holds it. */
  readonly name?: string;
  /** The registry scope `name` is registered in (an s_group name, or `global`, the default). */
  readonly scope?: string;
  /** A distance level (`node`, a location level, `anywhere`: sharing every location level down to it) or an ultrametric distance in [0, 1]. */
  readonly within?: string | number;
  /** At most this measured round-trip time from the calling node, in milliseconds (> 0). */
  readonly rtt?: number;
}

/** Keep away from a node or from the node holding a registered name (one of the two is required). */
export interface PlacementAway {
  readonly node?: string;
  readonly name?: string;
  readonly scope?: string;
  /** The level not to share with the target (`node`, the default, a location level, `anywhere`): `zone` for another zone. */
  readonly level?: string;
}

/** A named placement policy (every field optional), normalised: `maxAge` in milliseconds. */
export interface PlacementPolicyConfig {
  /** s_group name(s): a node must be a member of all of them. */
  readonly group?: string | readonly string[];
  /** Attribute name -> condition; a node must satisfy all. */
  readonly where?: Readonly<Record<string, PlacementAttributeCondition>>;
  readonly near?: PlacementNear | readonly PlacementNear[];
  readonly away?: PlacementAway | readonly PlacementAway[];
  /** Whether the calling node may be chosen (the placement layer's default: include). */
  readonly self?: 'include' | 'exclude';
  /** Full node names never chosen. */
  readonly exclude?: readonly string[];
  /** Milliseconds (> 0): a node whose attributes were last heard of longer ago is not eligible. */
  readonly maxAge?: number;
  /** Default (in the placement layer): least_loaded. */
  readonly strategy?: PlacementStrategy;
  /** Strategy `key`: the key whose consistent hash picks the node. */
  readonly key?: string;
  /** Strategy least_loaded: the attribute compared, lower is less loaded (the placement layer's default: load). */
  readonly loadAttribute?: string;
  /** How many nodes (processes) to choose, an integer >= 1 (default 1); a node may come back more than once. */
  readonly count?: number;
  /** Each pick in a value of this level no pick has used yet, while such values remain (anti-affinity); needs count > 1. */
  readonly spread?: string;
  /** All `count` on the one node the strategy chooses; needs count > 1; not with spread. */
  readonly pack?: boolean;
}

export interface ClusterConfig {
  readonly version: 1;
  readonly cookie: CookieSource;
  /** Net tick time in milliseconds. */
  readonly netTickTime: number;
  /** The nodes' liveness side-channel bound in milliseconds (core's NodeOptions.maxUnresponsive); absent: off. */
  readonly maxUnresponsive?: number;
  /** The cluster's CurveZMQ keypair, where its keys come from (curve-settings.ts); absent: no CURVE. */
  readonly curve?: CurveConfig;
  /** The location hierarchy, widest level first. */
  readonly locationLevels: readonly string[];
  /** In file order. */
  readonly nodes: readonly NodeConfig[];
  /** Reserved for the s_groups layer: group name -> full node names. */
  readonly sgroups: Readonly<Record<string, readonly string[]>>;
  /** Placement policies (@sdnode/placement): policy name -> policy. */
  readonly placement: Readonly<Record<string, PlacementPolicyConfig>>;
  /** Distributed applications (run by @sdnode/otp's distributed application controller). */
  readonly applications: readonly ApplicationConfig[];
  /** The global name scope of @sdnode/registry (the scope of the nodes in no s_group). */
  readonly registry: RegistryConfig;
}

/** The defaults the normaliser fills in (documented in docs/config.md). */
export const CONFIG_DEFAULTS = Object.freeze({
  version: 1 as const,
  cookieEnv: 'SDNODE_COOKIE',
  netTickTime: 60_000,
  locationLevels: Object.freeze(['region', 'zone', 'host']) as readonly string[],
  host: '127.0.0.1',
  basePort: 4370,
  hidden: false,
  failoverTimeout: 0,
  registry: Object.freeze<RegistryConfig>({ mode: 'replicated', replicas: 2, resolver: 'exitLoser', tombstoneTtl: 30_000 }),
});

// The file form.

export type CookieDocument = string | { readonly env: string } | { readonly file: string };

export interface NodeDocument {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly listen: string;
  readonly advertise?: string;
  readonly hidden: boolean;
  readonly carrier?: CarrierName;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  readonly location: Readonly<Record<string, string>>;
}

export interface ApplicationDocument {
  readonly name: string;
  readonly failoverTimeout: number;
  /** A level of one node is written as the bare name, as in Erlang's `[n1, {n2, n3}]`. */
  readonly nodes: readonly (string | readonly string[])[];
}

export interface ClusterDocument {
  readonly version: 1;
  readonly cookie: CookieDocument;
  readonly netTickTime: number;
  readonly maxUnresponsive?: number;
  readonly curve?: CurveDocument;
  readonly locationLevels: readonly string[];
  readonly nodes: readonly NodeDocument[];
  readonly sgroups: Readonly<Record<string, readonly string[]>>;
  readonly placement: ClusterConfig['placement'];
  readonly applications: readonly ApplicationDocument[];
  /** As in the config: `tombstoneTtl` in milliseconds. */
  readonly registry: RegistryConfig;
}

export function cookieDocument(cookie: CookieSource): CookieDocument {
  switch (cookie.kind) {
    case 'literal':
      return cookie.value;
    case 'env':
      return { env: cookie.name };
    case 'file':
      return { file: cookie.path };
  }
}

export function toClusterDocument(config: ClusterConfig): ClusterDocument {
  return {
    version: config.version,
    cookie: cookieDocument(config.cookie),
    netTickTime: config.netTickTime,
    ...(config.maxUnresponsive === undefined ? {} : { maxUnresponsive: config.maxUnresponsive }),
    ...(config.curve === undefined ? {} : { curve: curveDocument(config.curve) }),
    locationLevels: [...config.locationLevels],
    nodes: config.nodes.map((n) => ({
      name: n.name,
      host: n.host,
      port: n.port,
      listen: n.listen,
      ...(n.advertise === null ? {} : { advertise: n.advertise }),
      hidden: n.hidden,
      ...(n.carrier === undefined ? {} : { carrier: n.carrier }),
      attributes: { ...n.attributes },
      location: { ...n.location },
    })),
    sgroups: Object.fromEntries(Object.entries(config.sgroups).map(([g, members]) => [g, [...members]])),
    placement: structuredClone(config.placement),
    applications: config.applications.map((a) => ({
      name: a.name,
      failoverTimeout: a.failoverTimeout,
      nodes: a.nodes.map((level) => (level.length === 1 ? (level[0] as string) : [...level])),
    })),
    registry: { ...config.registry },
  };
}

export interface StringifyOptions {
  /** Default `yaml`. */
  readonly format?: 'yaml' | 'json';
  /** Leave the cookie out (to show a configuration without its secret). Default false. */
  readonly omitCookie?: boolean;
}

/** The normalised configuration as file text: every value explicit, loadable again. */
export function stringifyClusterConfig(config: ClusterConfig, options: StringifyOptions = {}): string {
  const { cookie: _cookie, ...withoutCookie } = toClusterDocument(config);
  const document = options.omitCookie ? withoutCookie : toClusterDocument(config);
  return options.format === 'json' ? `${JSON.stringify(document, null, 2)}\n` : stringify(document, { lineWidth: 0 });
}
