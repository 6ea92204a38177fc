import { randomBytes } from 'node:crypto';
import { Node, type CoreLogger } from '@sdnode/core';
import type { DriverEndpoint } from './backend.js';
import type { NodeLog } from './logs/node-log.js';

/** A CoreLogger that writes warnings and errors of the driver node into a NodeLog. */
function logTo(log: NodeLog, bindings: Record<string, unknown> = {}): CoreLogger {
  const line = (level: string) => (obj: object, msg?: string) => {
    let text: string;
    try {
      text = JSON.stringify({ level, ...bindings, ...obj, msg });
    } catch {
      text = `${level} ${msg ?? ''}`;
    }
    log.add(text);
  };
  const noop = (): void => undefined;
  return { debug: noop, info: noop, warn: line('warn'), error: line('error'), child: (b) => logTo(log, { ...bindings, ...b }) };
}

/**
 * The test driver: a hidden node in the test process. It connects to each node of the cluster at
 * the address the backend gives (never through name resolution: in container mode the hosts of
 * node names are network aliases only the containers can resolve), runs rpc, spawns, calls.
 */
export async function startDriver(cookie: string, endpoint: DriverEndpoint, log: NodeLog, netTickTime: number): Promise<Node> {
  const host = /^tcp:\/\/([^:]+):/.exec(endpoint.advertise ?? endpoint.listen)?.[1] ?? '127.0.0.1';
  const name = `harness-${process.pid}-${randomBytes(3).toString('hex')}@${host === '0.0.0.0' ? '127.0.0.1' : host}`;
  return Node.start({
    name,
    cookie,
    hidden: true,
    listen: endpoint.listen,
    ...(endpoint.advertise !== undefined ? { advertise: endpoint.advertise } : {}),
    netTickTime,
    logger: logTo(log),
  });
}
