export { NodeMetrics, DEFAULT_PREFIX, DEFAULT_TOP_MAILBOXES, type NodeMetricsOptions } from './node-metrics.js';
export { startMetricsServer, parseMetricsAddress, formatHostPort, MetricsServerError, type MetricsServer, type MetricsServerOptions, type MetricsAddress } from './metrics-server.js';
export { connectionsByKind, CONNECTION_KINDS, type ConnectionKind } from './connection-metrics.js';
export { longestMailboxes, type MailboxEntry } from './runtime-metrics.js';
export { pgMemberCount } from './service-metrics.js';
