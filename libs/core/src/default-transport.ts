import { ZmqTransport, type Transport } from '@sdnode/transport';
import type { NodeOptions } from './node-options.js';
import type { ConnectionPolicy } from './connection-policy.js';
import type { CoreLogger } from './logger.js';

/**
 * The production transport: ZmqTransport from @sdnode/transport, built from the node's options.
 * The connection policy's `accept` decides which peers may connect.
 */
export function createDefaultTransport(options: NodeOptions, policy: ConnectionPolicy, logger: CoreLogger): Transport {
  const accept = policy.accept?.bind(policy);
  return new ZmqTransport({
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
