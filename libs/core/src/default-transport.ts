import { InvalidArgumentError } from '@sdnode/wire';
import { DEFAULT_CARRIER, NetTransport, ZmqTransport, isCarrierName, type Transport } from '@sdnode/transport';
import type { NodeOptions } from './node-options.js';
import type { ConnectionPolicy } from './connection-policy.js';
import type { CoreLogger } from './logger.js';

/**
 * The production transport, built from the node's options: a NetTransport or a ZmqTransport from
 * @sdnode/transport, as `options.carrier` says (default DEFAULT_CARRIER; `zmq` when `options.curve`
 * is given). The connection policy's `accept` decides which peers may connect. Throws
 * InvalidArgumentError for an unknown carrier, and for `curve` with the `net` carrier.
 */
export function createDefaultTransport(options: NodeOptions, policy: ConnectionPolicy, logger: CoreLogger): Transport {
  const carrier = options.carrier ?? (options.curve !== undefined ? 'zmq' : DEFAULT_CARRIER);
  if (!isCarrierName(carrier)) throw new InvalidArgumentError('carrier', `"${String(carrier)}" is not a carrier (zmq or net)`);
  if (options.curve !== undefined && carrier === 'net') {
    throw new InvalidArgumentError('curve', 'CurveZMQ needs the zmq carrier, and this node is set to run on net (leave the carrier out or set it to zmq)');
  }
  const accept = policy.accept?.bind(policy);
  const transportOptions = {
    name: options.name,
    cookie: options.cookie,
    listen: options.listen ?? 'tcp://127.0.0.1:0',
    ...(options.advertise !== undefined ? { advertise: options.advertise } : {}),
    ...(options.creation !== undefined ? { creation: options.creation } : {}),
    ...(options.hidden !== undefined ? { hidden: options.hidden } : {}),
    ...(options.netTickTime !== undefined ? { netTickTime: options.netTickTime } : {}),
    ...(options.maxUnresponsive !== undefined ? { maxUnresponsive: options.maxUnresponsive } : {}),
    ...(accept !== undefined ? { accept } : {}),
    logger: logger.child({ component: 'transport' }),
  };
  return carrier === 'net' ? new NetTransport(transportOptions) : new ZmqTransport({ ...transportOptions, ...(options.curve !== undefined ? { curve: options.curve } : {}) });
}
