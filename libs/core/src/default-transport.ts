import { InvalidArgumentError } from '@sdnode/wire';
import type { Transport } from '@sdnode/transport';
import type { NodeOptions } from './node-options.js';
import type { ConnectionPolicy } from './connection-policy.js';
import type { CoreLogger } from './logger.js';

type TransportConstructor = new (options: Record<string, unknown>) => Transport;

/**
 * The production transport: ZmqTransport from @sdnode/transport, built from the node's options.
 * The connection policy's `accept` decides which peers may connect.
 */
export async function createDefaultTransport(options: NodeOptions, policy: ConnectionPolicy, logger: CoreLogger): Promise<Transport> {
  const mod = (await import('@sdnode/transport')) as Record<string, unknown>;
  const Zmq = mod['ZmqTransport'] as TransportConstructor | undefined;
  if (typeof Zmq !== 'function') {
    throw new InvalidArgumentError('transport', 'ZmqTransport is not available in @sdnode/transport; pass a transport, or null for a local-only node');
  }
  const accept = policy.accept?.bind(policy);
  return new Zmq({
    name: options.name,
    cookie: options.cookie,
    listen: options.listen ?? 'tcp://127.0.0.1:0',
    ...(options.advertise !== undefined ? { advertise: options.advertise } : {}),
    ...(options.creation !== undefined ? { creation: options.creation } : {}),
    ...(options.hidden !== undefined ? { hidden: options.hidden } : {}),
    ...(options.netTickTime !== undefined ? { netTickTime: options.netTickTime } : {}),
    ...(accept !== undefined ? { accept } : {}),
    logger: logger.child({ component: 'transport' }),
  });
}
