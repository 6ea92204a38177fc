import { Node } from '@sdnode/core';
import { parseCookie, parseEndpoint, parseNodeName } from '../options.js';

export interface RemoteQueryFlags {
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
}

export function parseRemoteQuery(target: string, flags: RemoteQueryFlags): RemoteQuery {
  const address = parseEndpoint('--at', flags.at);
  return {
    target: parseNodeName(target, address),
    address,
    listen: parseEndpoint('--listen', flags.listen),
    cookie: parseCookie(flags.cookie, process.env),
    timeout: flags.timeout,
  };
}

/**
 * Start a short-lived hidden node (it never joins anyone's mesh), connect to the target at the
 * given address, run `fn`, and stop the node whatever happens.
 */
export async function withHiddenNode<T>(query: RemoteQuery, fn: (node: Node, target: string) => Promise<T>): Promise<T> {
  const self = parseNodeName(`sdnode-cli-${process.pid}-${Date.now().toString(36)}`, query.listen);
  const node = await Node.start({ name: self, cookie: query.cookie, listen: query.listen, hidden: true, logger: silentLogger() });
  try {
    await node.connect(query.target, { address: query.address, timeout: query.timeout });
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
