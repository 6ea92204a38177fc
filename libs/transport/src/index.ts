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
