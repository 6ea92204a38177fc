export { SdnodeError, RemoteError, type WireError } from './sdnode-error.js';
export {
  NoProcError,
  NoConnectionError,
  TimeoutError,
  AbortedError,
  CalleeExitError,
  UnknownProcessTypeError,
  UnknownFunctionError,
  NameTakenError,
  AlreadyRegisteredError,
  InvalidArgumentError,
  NodeStoppedError,
  RemoteCallError,
  WorkerTaskError,
} from './process-errors.js';
export { NotSendableError, BadFrameError, FrameTooLargeError, UnknownFrameTypeError, ProtocolVersionError } from './wire-errors.js';
export { BadCookieError, HandshakeError, UnresolvableNodeError, PeerOverloadError, ConnectionRefusedError } from './connection-errors.js';
export { errorFromWire, isWireError } from './error-registry.js';
export { NodeExitedError, FaultInjectionError, ContainerRuntimeError } from './harness-errors.js';
export {
  StartError,
  BadReturnError,
  UnknownRequestError,
  ChildNotFoundError,
  ChildExistsError,
  ChildRunningError,
  HandlerNotFoundError,
  HandlerExistsError,
  HandlerCrashError,
  CodeChangeError,
  UnknownApplicationError,
  ApplicationDependencyError,
  ApplicationNotRunningError,
  DistributedApplicationError,
  UpgradeError,
} from './otp-errors.js';
export { NotAMemberError, UnknownScopeError, ScopeExistsError, NameNotRegisteredError, RegistryStoppedError } from './registry-errors.js';
export { NotGroupMemberError, GroupExistsError, UnknownGroupError, CannotRemoveSelfError, ConcurrentChangeError, NodeNotFreeError } from './sgroup-errors.js';
export { NoEligibleNodeError, UnknownPlacementPolicyError, InvalidPlacementSpecError, type PlacementCandidate } from './placement-errors.js';
export { errorLogFields, isExpectedError, type ErrorLogFields } from './log-fields.js';
