import { Node } from '@sdnode/core';
import { SdnodeError } from '@sdnode/wire';
import type { CurveKeys } from '@sdnode/transport';
import { parseCookie, parseEndpoint, parseNodeName } from '../options.js';
import { curveFromFlags, type CurveFlags } from './curve-options.js';

export interface RemoteQueryFlags extends CurveFlags {
  at: string;
  cookie?: string;
  listen: string;
  timeout: number;
}

/** A validated query: bad flags fail here, with a usage error, before any connection is tried. */
export interface RemoteQuery {
  readonly target: string;
  readonly address: string;
  readonly listen: string;
  readonly cookie: string;
  readonly timeout: number;
  /** The cluster's CurveZMQ keypair (--curve-* flags or SDNODE_CURVE_*); absent: no CURVE. */
  readonly curve?: CurveKeys;
}

export function parseRemoteQuery(target: string, flags: RemoteQueryFlags): RemoteQuery {
  const address = parseEndpoint('--at', flags.at);
  const curve = curveFromFlags(flags, process.env, { useEnv: true });
  return {
    target: parseNodeName(target, address),
    address,
    listen: parseEndpoint('--listen', flags.listen),
    cookie: parseCookie(flags.cookie, process.env),
    timeout: flags.timeout,
    ...(curve !== undefined ? { curve } : {}),
  };
}

/** The node asked could not be reached (no answer, refused, wrong cookie): the connection's error is the cause. */
export class NodeUnreachableError extends Error {
  override readonly name = 'NodeUnreachableError';
  constructor(
    readonly target: string,
    readonly address: string,
    cause: unknown,
  ) {
    const why = cause instanceof SdnodeError ? `${cause.message} (${cause.code})` : (cause as Error).message;
    super(`cannot reach ${target} at ${address}: ${why}`, { cause });
  }
}

/**
 * Start a short-lived hidden node (it never joins anyone's mesh), connect to the target at the
 * given address, run `fn`, and stop the node whatever happens. A failed connection rejects with
 * NodeUnreachableError.
 */
export async function withHiddenNode<T>(query: RemoteQuery, fn: (node: Node, target: string) => Promise<T>): Promise<T> {
  const self = parseNodeName(`sdnode-cli-${process.pid}-${Date.now().toString(36)}`, query.listen);
  const node = await Node.start({ name: self, cookie: query.cookie, listen: query.listen, hidden: true, ...(query.curve !== undefined ? { curve: query.curve } : {}), logger: silentLogger() });
  try {
    try {
      await node.connect(query.target, { address: query.address, timeout: query.timeout });
    } catch (error) {
      throw new NodeUnreachableError(query.target, query.address, error);
    }
    return await fn(node, query.target);
  } finally {
    await node.stop();
  }
}

function silentLogger() {
  const noop = () => undefined;
  const logger = { debug: noop, info: noop, warn: noop, error: noop, trace: noop, fatal: noop, child: () => logger, level: 'silent' };
  return logger;
}
