/**
 * Nodes: expanding each entry of `nodes` (a bare name, or a mapping) with `defaults` into a full
 * NodeConfig, and the checks that need the expanded form: addresses that conflict or cannot be
 * dialled, ports out of range, duplicate names and duplicate addresses.
 */
import { CARRIER_NAMES, CONFIG_DEFAULTS, type AttributeValue, type CarrierName, type NodeConfig } from './cluster-config.js';
import type { PathProblem, PathSegment } from './source-document.js';
import {
  MAX_PORT,
  asArray,
  asBoolean,
  asObject,
  asPort,
  asString,
  entriesOf,
  formatEndpoint,
  isFullNodeName,
  isNodeRef,
  isScalar,
  isWildcardHost,
  nameHost,
  parseEndpoint,
  stripBrackets,
  type Endpoint,
  type RawObject,
} from './values.js';

interface Defaults {
  readonly host: string;
  readonly hostPath: PathSegment[] | undefined;
  readonly listenHost: string | undefined;
  readonly basePort: number;
  readonly hidden: boolean;
  readonly carrier: CarrierName | undefined;
  readonly attributes: Record<string, AttributeValue>;
  readonly location: Record<string, string>;
}

/** The nodes of the document, in order (entries of the wrong shape left out: the schema reported them). */
export function resolveNodes(root: RawObject, levels: readonly string[], problems: PathProblem[]): NodeConfig[] {
  const defaults = readDefaults(root, levels, problems);
  const nodes: NodeConfig[] = [];
  /** For each node, the path of its name in the document. */
  const paths: PathSegment[][] = [];
  (asArray(root['nodes']) ?? []).forEach((entry, index) => {
    const path: PathSegment[] = ['nodes', index];
    const node = resolveNode(entry, index, path, defaults, levels, problems);
    if (node) {
      nodes.push(node);
      paths.push(typeof entry === 'string' ? path : [...path, 'name']);
    }
  });
  checkUnique(nodes, paths, problems);
  return nodes;
}

function readDefaults(root: RawObject, levels: readonly string[], problems: PathProblem[]): Defaults {
  const d = asObject(root['defaults']) ?? {};
  const host = asString(d['host']);
  if (host !== undefined && isWildcardHost(host)) problems.push(wildcard(['defaults', 'host'], host));
  const location = locationOf(d['location'], ['defaults', 'location'], levels, problems);
  return {
    host: host === undefined ? CONFIG_DEFAULTS.host : stripBrackets(host),
    hostPath: host === undefined ? undefined : ['defaults', 'host'],
    listenHost: asString(d['listenHost']),
    basePort: asPort(d['basePort']) ?? CONFIG_DEFAULTS.basePort,
    hidden: asBoolean(d['hidden']) ?? CONFIG_DEFAULTS.hidden,
    carrier: carrierOf(d['carrier']),
    attributes: attributesOf(d['attributes']),
    location,
  };
}

function resolveNode(
  entry: unknown,
  index: number,
  path: PathSegment[],
  defaults: Defaults,
  levels: readonly string[],
  problems: PathProblem[],
): NodeConfig | undefined {
  const fields: RawObject | undefined = typeof entry === 'string' ? { name: entry } : asObject(entry);
  const name = asString(fields?.['name']);
  if (!fields || name === undefined || !isNodeRef(name)) return undefined; // the schema reported it
  const at = (field: string): PathSegment[] => (typeof entry === 'string' ? path : [...path, field]);

  const address = endpointField(fields, 'address', path, problems);
  const explicitHost = asString(fields['host']);
  const explicitPort = asPort(fields['port']);
  if (fields['address'] !== undefined && (fields['host'] !== undefined || fields['port'] !== undefined)) {
    problems.push({ path: [...path, 'address'], message: 'give either address or host and port, not both' });
  }

  // host: the node's own > its address > the host in its name > defaults.host > 127.0.0.1
  const fromName = nameHost(name);
  const host = explicitHost ?? address?.host ?? fromName ?? defaults.host;
  const hostPath =
    explicitHost !== undefined ? at('host') : address ? at('address') : fromName !== undefined ? at('name') : defaults.hostPath;
  if (isWildcardHost(host) && hostPath !== defaults.hostPath) problems.push(wildcard(hostPath ?? path, host));

  let port = explicitPort ?? address?.port;
  if (port === undefined) {
    port = defaults.basePort === 0 ? 0 : defaults.basePort + index;
    if (port > MAX_PORT) {
      problems.push({ path, message: `the default port is defaults.basePort ${defaults.basePort} + index ${index} = ${port}, above ${MAX_PORT}: give this node a port` });
    }
  }

  const fullName = fromName === undefined ? `${name}@${stripBrackets(host)}` : name;
  if (!isFullNodeName(fullName)) {
    problems.push({ path: at('name'), message: `"${fullName}" is not a valid node name (name@host: letters, digits, _ . - and a host)` });
  }

  const listen = endpointField(fields, 'listen', path, problems);
  const advertise = endpointField(fields, 'advertise', path, problems);
  if (advertise && isWildcardHost(advertise.host)) problems.push(wildcard([...path, 'advertise'], advertise.host));
  if (advertise && advertise.port === 0) {
    problems.push({ path: [...path, 'advertise'], message: 'an advertised address needs a real port, not 0' });
  }

  const bareHost = stripBrackets(host);
  const carrier = carrierOf(fields['carrier']) ?? defaults.carrier;
  return {
    name: fullName,
    host: bareHost,
    port,
    listen: listen ? formatEndpoint(listen.host, listen.port) : formatEndpoint(stripBrackets(defaults.listenHost ?? bareHost), port),
    advertise: advertise ? formatEndpoint(advertise.host, advertise.port) : port === 0 ? null : formatEndpoint(bareHost, port),
    hidden: asBoolean(fields['hidden']) ?? defaults.hidden,
    ...(carrier === undefined ? {} : { carrier }),
    attributes: { ...defaults.attributes, ...attributesOf(fields['attributes']) },
    location: { ...defaults.location, ...locationOf(fields['location'], [...path, 'location'], levels, problems) },
  };
}

/** A carrier name (anything else was reported by the schema and reads as absent). */
function carrierOf(value: unknown): CarrierName | undefined {
  return (CARRIER_NAMES as readonly unknown[]).includes(value) ? (value as CarrierName) : undefined;
}

/** A `tcp://HOST:PORT` field, with its port range checked (the schema checks only the form). */
function endpointField(fields: RawObject, field: string, path: PathSegment[], problems: PathProblem[]): Endpoint | undefined {
  const text = asString(fields[field]);
  const endpoint = text === undefined ? undefined : parseEndpoint(text);
  if (!endpoint) return undefined;
  if (endpoint.port > MAX_PORT) {
    problems.push({ path: [...path, field], message: `port ${endpoint.port} is out of range 0-${MAX_PORT}` });
    return undefined;
  }
  return endpoint;
}

function wildcard(path: PathSegment[], host: string): PathProblem {
  return {
    path,
    message: `${host} binds every interface and cannot be dialled by other nodes: give a reachable host here and use listen (or defaults.listenHost) to bind every interface`,
  };
}

function attributesOf(value: unknown): Record<string, AttributeValue> {
  return Object.fromEntries(entriesOf(value, isScalar));
}

function locationOf(value: unknown, path: PathSegment[], levels: readonly string[], problems: PathProblem[]): Record<string, string> {
  const entries = entriesOf(value, (x): x is string | number => typeof x === 'string' || typeof x === 'number');
  for (const [level] of entries) {
    if (!levels.includes(level)) {
      problems.push({ path: [...path, level], at: 'key', message: `unknown location level "${level}"; the levels are: ${levels.join(', ')} (see locationLevels)` });
    }
  }
  // fromEntries (not assignment) so that a key such as __proto__ stays an ordinary key.
  return Object.fromEntries(entries.map(([level, v]) => [level, String(v)]));
}

function checkUnique(nodes: readonly NodeConfig[], paths: readonly PathSegment[][], problems: PathProblem[]): void {
  const byName = new Map<string, number>();
  const byAddress = new Map<string, number>();
  nodes.forEach((node, i) => {
    const path = paths[i] as PathSegment[];
    const first = byName.get(node.name);
    if (first !== undefined) {
      problems.push({ path, message: `duplicate node ${node.name} (also at nodes[${String(paths[first]?.[1])}])` });
    } else {
      byName.set(node.name, i);
    }
    if (node.advertise === null) return;
    const other = byAddress.get(node.advertise);
    if (other !== undefined && first === undefined) {
      problems.push({ path, message: `${node.name} has the same address ${node.advertise} as ${nodes[other]?.name}` });
    } else if (other === undefined) {
      byAddress.set(node.advertise, i);
    }
  });
}
