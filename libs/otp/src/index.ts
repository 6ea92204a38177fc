export { GenServer } from './gen-server/gen-server.js';
export { TIMEOUT } from './gen-server/types.js';
export type {
  ServerSpec,
  ServerCallbacks,
  ServerType,
  ServerRef,
  ServerPid,
  ServerClient,
  ServerEnv,
  CallEnv,
  From,
  Next,
  InitResult,
  CallResult,
  NoReplyResult,
  CodeChangeResult,
  CallHandlers,
  CastHandlers,
  InfoMessage,
  TimeoutSignal,
  DefineServerOptions,
  ArgsOf,
  StateOf,
  CallsOf,
  CastsOf,
  ContinueOf,
  InfoOf,
  OpArgs,
  OpReply,
  OpName,
  CallArgs,
} from './gen-server/types.js';
export { Sys, type StatusReport, type SysOptions } from './common/sys.js';
export type { TraceEvent, TraceSink, Statistics } from './common/debug.js';
export { isTraceMessage, isCastMessage, type TraceMessage, type CastMessage } from './common/messages.js';
export { isOtpType, type OtpType, type BehaviourName } from './common/otp-type.js';
export type { StartOptions, DebugOptions } from './common/start.js';
export { isRegistryName, type RegistryName, type GlobalName, type ScopedName, type ViaName, type ProcessName, type Target } from './common/names.js';
export type { Caller } from './common/caller.js';
export { Supervisor, type SupervisorCallbacks, type SupervisorType, SUPERVISOR_CALL_TIMEOUT } from './supervisor/supervisor.js';
export type { SupervisorServerSpec } from './supervisor/supervisor-server.js';
export type { Strategy, SupervisorFlags, SupervisorInit, ChildInfo, ChildCounts } from './supervisor/supervisor-state.js';
export { shouldRestart, type ChildSpec, type NormalChildSpec, type ChildStart, type ChildOptions, type Restart, type Shutdown, type ChildKind } from './supervisor/child-spec.js';
export { RestartIntensity } from './supervisor/restart-intensity.js';
export { GenStatem } from './gen-statem/gen-statem.js';
export type {
  StatemSpec,
  StatemArgs,
  StatemStateOf,
  StatemDataOf,
  StatemEvent,
  EventType,
  Action,
  Transition,
  StatemInitResult,
  StatemEnv,
  StateFunction,
  StatemCallbacks,
  StateFunctionsCallbacks,
  HandleEventCallbacks,
  StatemType,
  DefineStatemOptions,
} from './gen-statem/types.js';
export { EventManager, type ManagerSpec, type ManagerType } from './event-manager/event-manager.js';
export {
  isHandlerExitMessage,
  type EventHandler,
  type HandlerCallbacks,
  type HandlerEnv,
  type HandlerResult,
  type HandlerCallResult,
  type HandlerInitResult,
  type HandlerExitMessage,
  type TerminateReason,
  type SwapTo,
  type Swapped,
  type AddHandlerOptions,
} from './event-manager/types.js';
export { Application, applicationFunctions, APPLICATION_CALL_TIMEOUT, type ControllerStartOptions, type ApplicationStartOptions } from './application/application.js';
export {
  defineApplication,
  isApplicationDefinition,
  isRestartType,
  type ApplicationDefinition,
  type ApplicationCallbacks,
  type ApplicationStartEnv,
  type ApplicationStartResult,
  type RestartType,
  type StartType,
} from './application/application-spec.js';
export { APPLICATION_CONTROLLER, type ApplicationInfo, type LoadedApplication } from './application/application-controller.js';
export { DistributedApplications, distAppFunctions, type DistControllerOptions } from './distributed/distributed-applications.js';
export { DIST_APP_CONTROLLER } from './distributed/dist-app-controller.js';
export { DistAppMachine } from './distributed/dist-app-machine.js';
export {
  DIST_APP_CHANNEL,
  DIST_APP_PROTOCOL_VERSION,
  parseDistAppMessage,
  type DistAppSpec,
  type DistAppMessage,
  type StatusMessage,
  type TakeoverMessage,
  type MachineEvent,
  type Effect,
  type Phase,
  type PeerView,
  type MachineSnapshot,
  type StopWhy,
} from './distributed/dist-app-types.js';
export { Code, codeFunctions, UPGRADE_FUNCTION, type UpgradeOutcome, type ModuleUpgradeOptions, type RollingUpgradeOptions, type RollingUpgradeReport, type NodeUpgradeResult } from './upgrade/code.js';
export type { UpgradeOptions, UpgradeReport } from './upgrade/code-upgrade.js';
