/**
 * What one node of the cluster needs to start: plain data whose field names match @sdnode/core's
 * NodeOptions (config may not import core; `Node.start({...nodeStartOptions(config, 'a'), types})`),
 * including the cookie, turned from its configured source into the cookie itself, plus the
 * cluster's registry settings for @sdnode/registry.
 */
import { readFileSync } from 'node:fs';
import type { CarrierName, ClusterConfig, CookieSource, NodeConfig, RegistryConfig } from './cluster-config.js';
import { CookieUnavailableError, UnknownNodeError } from './errors.js';
import { resolveCurveKeys } from './curve-settings.js';
import { shortName } from './values.js';

export interface NodeStartOptions {
  readonly name: string;
  readonly cookie: string;
  readonly listen: string;
  /** Absent when the address is only known once bound (port 0): core then advertises the bound endpoint. */
  readonly advertise?: string;
  readonly hidden: boolean;
  /** The transport carrier (NodeOptions.carrier); absent: the runtime's default. `zmq` when the cluster has `curve` and the node names none. */
  readonly carrier?: CarrierName;
  /** The cluster's CurveZMQ keypair, read from where the file says (NodeOptions.curve); absent: no CURVE. */
  readonly curve?: { readonly publicKey: string; readonly secretKey: string };
  /** Milliseconds. */
  readonly netTickTime: number;
  /** Milliseconds: the liveness side-channel's bound (NodeOptions.maxUnresponsive); absent: off. */
  readonly maxUnresponsive?: number;
  /** The other nodes to connect to at start: name -> address. */
  readonly seeds: Readonly<Record<string, string>>;
  /** Settings of the global name scope, for @sdnode/registry (not a NodeOptions field): the cluster's, the same on every node. */
  readonly registry: RegistryConfig;
}

export interface NodeStartOptionsOptions extends CookieEnvironment {
  /** The cookie to use instead of resolving the configured source (keeps the call free of I/O). */
  readonly cookie?: string;
  /** The CURVE keypair to use instead of reading the `curve` section's sources (keeps the call free of I/O). */
  readonly curve?: { readonly publicKey: string; readonly secretKey: string };
}

/** The node called `name` (full `name@host`, or a bare name that matches exactly one node). */
export function findNode(config: ClusterConfig, name: string): NodeConfig {
  const known = config.nodes.map((n) => n.name);
  if (name.includes('@')) {
    const node = config.nodes.find((n) => n.name === name);
    if (!node) throw new UnknownNodeError(name, known);
    return node;
  }
  const matches = config.nodes.filter((n) => shortName(n.name) === name);
  if (matches.length === 1) return matches[0] as NodeConfig;
  throw new UnknownNodeError(name, known, matches.length === 0 ? undefined : 'is ambiguous: give the full name@host');
}

/**
 * Seeds of a node: every other visible node whose address is known in advance (hidden nodes are
 * nobody's seed; a node on port 0 without `advertise` cannot be found before it starts).
 */
export function seedsFor(config: ClusterConfig, node: NodeConfig): Record<string, string> {
  const seeds: [string, string][] = [];
  for (const other of config.nodes) {
    if (other.name === node.name || other.hidden || other.advertise === null) continue;
    seeds.push([other.name, other.advertise]);
  }
  return Object.fromEntries(seeds);
}

/**
 * Start options of one node; throws UnknownNodeError, CookieUnavailableError when the cookie must
 * be resolved and cannot, or CurveKeyUnavailableError when a key of the `curve` section cannot.
 */
export function nodeStartOptions(config: ClusterConfig, name: string, options: NodeStartOptionsOptions = {}): NodeStartOptions {
  const node = findNode(config, name);
  const curve = config.curve === undefined ? undefined : (options.curve ?? resolveCurveKeys(config.curve, options));
  const carrier = node.carrier ?? (curve === undefined ? undefined : 'zmq');
  return {
    name: node.name,
    cookie: options.cookie ?? resolveCookie(config.cookie, options),
    listen: node.listen,
    ...(node.advertise === null ? {} : { advertise: node.advertise }),
    hidden: node.hidden,
    ...(carrier === undefined ? {} : { carrier }),
    ...(curve === undefined ? {} : { curve: { publicKey: curve.publicKey, secretKey: curve.secretKey } }),
    netTickTime: config.netTickTime,
    ...(config.maxUnresponsive === undefined ? {} : { maxUnresponsive: config.maxUnresponsive }),
    seeds: seedsFor(config, node),
    registry: { ...config.registry },
  };
}

export interface CookieEnvironment {
  /** Default: process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Default: fs.readFileSync as UTF-8. */
  readonly readFile?: (path: string) => string;
}

/**
 * The cookie: the literal, the environment variable's value, or the file's contents without
 * surrounding whitespace. Throws CookieUnavailableError when the variable is unset or empty, or
 * the file cannot be read or is empty.
 */
export function resolveCookie(source: CookieSource, environment: CookieEnvironment = {}): string {
  switch (source.kind) {
    case 'literal':
      return source.value;
    case 'env': {
      const value = (environment.env ?? process.env)[source.name];
      if (value === undefined || value === '') {
        throw new CookieUnavailableError(describeCookieSource(source), value === undefined ? 'is not set' : 'is empty');
      }
      return value;
    }
    case 'file': {
      let text: string;
      try {
        text = (environment.readFile ?? ((p: string) => readFileSync(p, 'utf8')))(source.path);
      } catch (error) {
        throw new CookieUnavailableError(describeCookieSource(source), `cannot be read: ${(error as Error).message}`, { cause: error });
      }
      const cookie = text.trim();
      if (cookie === '') throw new CookieUnavailableError(describeCookieSource(source), 'is empty');
      return cookie;
    }
  }
}

/** Where the cookie comes from, in words, never the cookie itself. */
export function describeCookieSource(source: CookieSource): string {
  switch (source.kind) {
    case 'literal':
      return 'the literal in the configuration file';
    case 'env':
      return `environment variable ${source.name}`;
    case 'file':
      return `file ${source.path}`;
  }
}
