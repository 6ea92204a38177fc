import { InvalidArgumentError } from '@sdnode/wire';
import type { CarrierName, CurveKeys } from '@sdnode/transport';
import { CONFIG_DEFAULTS, findNode, loadClusterConfig, nodeStartOptions, type ApplicationConfig, type AttributeValue, type PlacementPolicyConfig, type RegistryConfig } from '@sdnode/config';
import { parseCookie, parseEndpoint, parseNodeName } from '../options.js';
import { curveFromFlags, type CurveFlags } from './curve-options.js';

/** The flags of `sdnode start` that say which node to start and how to reach it. */
export interface StartOptionFlags extends CurveFlags {
  name?: string;
  config?: string;
  node?: string;
  cookie?: string;
  listen?: string;
  advertise?: string;
  seed: Record<string, string>;
  hidden: boolean;
  tick?: number;
  /** `--carrier net|zmq`: the transport carrier, over the file's. */
  carrier?: CarrierName;
  /** `--max-unresponsive DURATION` (ms): the liveness side-channel's bound, over the file's. */
  maxUnresponsive?: number;
  /** `--attribute NAME=VALUE` (repeatable): static placement attributes, over the file's. */
  attribute?: Record<string, AttributeValue>;
  /** `--location LEVEL=VALUE` (repeatable): this node's location, over the file's. */
  location?: Record<string, string>;
}

/** What `sdnode start` hands to Node.start (plus, from a cluster file, the node's attributes and location). */
export interface StartOptions {
  readonly name: string;
  readonly cookie: string;
  readonly listen: string;
  readonly advertise?: string;
  readonly hidden: boolean;
  readonly netTickTime?: number;
  /** The transport carrier; absent: the runtime's default (DEFAULT_CARRIER). */
  readonly carrier?: CarrierName;
  /** The cluster's CurveZMQ keypair (--curve-* flags, SDNODE_CURVE_* without a file, the file's `curve`); absent: no CURVE. */
  readonly curve?: CurveKeys;
  /** The liveness side-channel's bound (ms); absent: off. */
  readonly maxUnresponsive?: number;
  readonly seeds: Readonly<Record<string, string>>;
  /** Static placement attributes: the file's node's, with --attribute over them. */
  readonly attributes?: Readonly<Record<string, AttributeValue>>;
  /** The node's location (level -> value): the file's node's, with --location over it. */
  readonly location?: Readonly<Record<string, string>>;
  /** From a cluster file: the location hierarchy, widest level first (its `locationLevels`). */
  readonly locationLevels?: readonly string[];
  /** From a cluster file: its named placement policies (its `placement` section). */
  readonly placement?: Readonly<Record<string, PlacementPolicyConfig>>;
  /** From a cluster file: the cluster's distributed applications (its `applications` section). */
  readonly applications?: readonly ApplicationConfig[];
  /** From a cluster file: the settings of the global name scope (its `registry` section). */
  readonly registry?: RegistryConfig;
  /** From a cluster file: its s_groups (group -> member nodes; its `sgroups` section). */
  readonly sgroups?: Readonly<Record<string, readonly string[]>>;
  /** From a cluster file: where its nodes are (name -> advertised address, for nodes whose address is known in advance). */
  readonly addresses?: Readonly<Record<string, string>>;
}

export const DEFAULT_LISTEN = 'tcp://127.0.0.1:0';

/** --location names levels of the hierarchy (the file's `locationLevels`, else region, zone, host). */
function checkLocationFlags(location: Readonly<Record<string, string>> | undefined, levels: readonly string[]): void {
  for (const level of Object.keys(location ?? {})) {
    if (!levels.includes(level)) throw new InvalidArgumentError('--location', `"${level}" is not a location level (the levels are ${levels.join(', ')})`);
  }
}

/**
 * The node's options from the flags, or from a cluster file (`--config FILE --node NAME`) with
 * the explicit flags taking precedence: --cookie, --listen, --advertise, --tick, --carrier, --max-unresponsive replace the file's
 * values, --hidden makes the node hidden, --seed adds to (or replaces) the file's seeds,
 * --attribute and --location add to (or replace) the node's attributes and location.
 */
export async function resolveStartOptions(flags: StartOptionFlags, env: NodeJS.ProcessEnv = process.env): Promise<StartOptions> {
  const listenFlag = flags.listen === undefined ? undefined : parseEndpoint('--listen', flags.listen);
  const advertiseFlag = flags.advertise === undefined ? undefined : parseEndpoint('--advertise', flags.advertise);

  if (flags.config === undefined) {
    if (flags.node !== undefined) throw new InvalidArgumentError('--node', 'only with --config FILE');
    if (flags.name === undefined) throw new InvalidArgumentError('--name', 'required (or --config FILE --node NAME)');
    const listen = listenFlag ?? DEFAULT_LISTEN;
    checkLocationFlags(flags.location, CONFIG_DEFAULTS.locationLevels);
    const curve = curveFromFlags(flags, env, { useEnv: true });
    return {
      name: parseNodeName(flags.name, advertiseFlag ?? listen),
      cookie: parseCookie(flags.cookie, env),
      listen,
      ...(advertiseFlag ? { advertise: advertiseFlag } : {}),
      hidden: flags.hidden,
      ...(flags.tick ? { netTickTime: flags.tick } : {}),
      ...(flags.carrier ? { carrier: flags.carrier } : {}),
      ...(curve !== undefined ? { curve } : {}),
      ...(flags.maxUnresponsive ? { maxUnresponsive: flags.maxUnresponsive } : {}),
      seeds: flags.seed,
      ...(flags.attribute !== undefined && Object.keys(flags.attribute).length > 0 ? { attributes: flags.attribute } : {}),
      ...(flags.location !== undefined && Object.keys(flags.location).length > 0 ? { location: flags.location } : {}),
    };
  }

  if (flags.name !== undefined) throw new InvalidArgumentError('--name', 'not with --config: pick the node from the file with --node');
  if (flags.node === undefined) throw new InvalidArgumentError('--node', 'required with --config (the node of the file to start)');
  const config = await loadClusterConfig(flags.config);
  const node = findNode(config, flags.node);
  checkLocationFlags(flags.location, config.locationLevels);
  const curveFlag = curveFromFlags(flags, env, { useEnv: false });
  const fromFile = nodeStartOptions(config, node.name, { ...(flags.cookie === undefined ? { env } : { cookie: flags.cookie }), ...(curveFlag !== undefined ? { curve: curveFlag } : {}) });
  const curve = curveFlag ?? fromFile.curve;
  const advertise = advertiseFlag ?? (listenFlag === undefined ? fromFile.advertise : undefined);
  return {
    name: fromFile.name,
    cookie: fromFile.cookie,
    listen: listenFlag ?? fromFile.listen,
    ...(advertise ? { advertise } : {}),
    hidden: flags.hidden || fromFile.hidden,
    netTickTime: flags.tick ?? fromFile.netTickTime,
    ...((flags.carrier ?? fromFile.carrier) !== undefined ? { carrier: flags.carrier ?? fromFile.carrier } : {}),
    ...(curve !== undefined ? { curve } : {}),
    ...((flags.maxUnresponsive ?? fromFile.maxUnresponsive) !== undefined ? { maxUnresponsive: flags.maxUnresponsive ?? fromFile.maxUnresponsive } : {}),
    seeds: { ...fromFile.seeds, ...flags.seed },
    attributes: { ...node.attributes, ...flags.attribute },
    location: { ...node.location, ...flags.location },
    locationLevels: config.locationLevels,
    placement: config.placement,
    applications: config.applications,
    registry: config.registry,
    sgroups: config.sgroups,
    addresses: Object.fromEntries(config.nodes.flatMap((n) => (n.advertise === null ? [] : [[n.name, n.advertise] as const]))),
  };
}
