export { Node } from './node.js';
export type {
  NodeOptions,
  RunOptions,
  RpcOptions,
  NodeSpawnRemoteOptions,
  NodeConnectOptions,
  NodeEventInfo,
  NodeEvents,
  NodeStopOptions,
  ProcessInfo,
  ProcessStatus,
  NodeInfo,
  NodeStats,
} from './node-options.js';
export { defineProcess, isProcessType, type ProcessType, type CallbackBehaviour, type AsyncBody } from './process-type.js';
export type {
  ProcessContext,
  Matcher,
  ReceiveOptions,
  CallOptions,
  SpawnFnOptions,
  RemoteSpawnOptions,
  DemonitorOptions,
  MonitorNodesOptions,
} from './process-context.js';
export {
  isExitMessage,
  isDownMessage,
  isNodeUpMessage,
  isNodeDownMessage,
  isCallMessage,
  isReplyMessage,
  isSystemMessage,
  isNameAtNode,
  isExit,
  isDown,
  isNodeUp,
  isNodeDown,
  isCall,
  isReply,
  formatTarget,
  type NameAtNode,
  type Destination,
  type MonitorTarget,
  type ExitMessage,
  type DownMessage,
  type NodeUpMessage,
  type NodeDownMessage,
  type CallMessage,
  type ReplyMessage,
  type CallFrom,
  type SystemMessage,
} from './signals.js';
export { isNameService, type NameService, type NameRegistration, type NameServiceOptions } from './name-service.js';
export { TimerRef } from './timers.js';
export type { ExitWatch, ExitListener } from './exit-watch.js';
export { FullMeshPolicy, type ConnectionPolicy, type FullMeshOptions, type PolicyHost } from './connection-policy.js';
export { GossipRedial, type GossipRedialOptions } from './gossip-redial.js';
export { WorkerPool, type WorkerPoolOptions, type WorkerRunOptions } from './worker-pool.js';
export { RPC_SERVER_NAME, type RpcFunction } from './rpc-server.js';
export type { SchedulerOptions } from './scheduler.js';
export type { CoreLogger } from './logger.js';
export { DEFAULT_CALL_TIMEOUT } from './call.js';
export { SeedKeeper, type SeedKeeperOptions } from './seed-keeper.js';
