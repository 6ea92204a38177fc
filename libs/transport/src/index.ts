export type {
  Transport,
  TransportOptions,
  TransportEvents,
  TransportStats,
  TransportLogger,
  PeerInfo,
  DisconnectReason,
  NodeResolver,
  ConnectOptions,
} from './transport.js';
export { StaticResolver } from './static-resolver.js';
export { MemoryNetwork } from './memory/memory-network.js';
export { MemoryTransport, type MemoryTransportOptions } from './memory/memory-transport.js';
export { challengeDigest } from './handshake-digest.js';
export { ZmqTransport, type ZmqTransportOptions } from './zmq/zmq-transport.js';
export type { CurveKeys } from './zmq/zmq-carrier.js';
export { CURVE_KEY_LENGTH, checkCurveKeys, curvePublicKeyOf, generateCurveKeys, isZ85Key } from './zmq/curve-keys.js';
export { NetTransport, type NetTransportOptions } from './net/net-transport.js';
export { CARRIERS, DEFAULT_CARRIER, isCarrierName, type CarrierName } from './carriers.js';
export { ZmtpProtocolError, type ZmtpErrorReason } from './zmtp/zmtp-errors.js';
export { emptyStats } from './transport-stats.js';
