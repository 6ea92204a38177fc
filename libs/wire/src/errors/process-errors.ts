import { SdnodeError } from './sdnode-error.js';

/** The process (pid or registered name) does not exist or is dead. */
export class NoProcError extends SdnodeError {
  readonly code = 'ENOPROC';
  constructor(readonly target: string, details: Record<string, unknown> = {}) {
    super(`no such process: ${target}`, { target, ...details });
  }
}

/** The operation needed a connection to a node that is down or could not be reached. */
export class NoConnectionError extends SdnodeError {
  readonly code = 'ENOCONNECTION';
  constructor(readonly node: string, details: Record<string, unknown> = {}) {
    super(`no connection to node ${node}`, { node, ...details });
  }
}

/** A call, rpc, spawn, connect or receive did not complete within its timeout. */
export class TimeoutError extends SdnodeError {
  readonly code = 'ETIMEOUT';
  constructor(readonly operation: string, readonly timeoutMs: number, details: Record<string, unknown> = {}) {
    super(`${operation} timed out after ${timeoutMs} ms`, { operation, timeoutMs, ...details });
  }
}

/** The operation was aborted through its AbortSignal. */
export class AbortedError extends SdnodeError {
  readonly code = 'EABORTED';
  constructor(readonly operation: string, details: Record<string, unknown> = {}) {
    super(`${operation} was aborted`, { operation, ...details });
  }
}

/** The callee exited while a call to it was in flight; `reason` is its exit reason. */
export class CalleeExitError extends SdnodeError {
  readonly code = 'ECALLEEEXIT';
  constructor(readonly target: string, readonly reason: unknown) {
    super(`callee ${target} exited`, { target, reason });
  }
}

/** A spawn named a process type that is not defined on the target node. */
export class UnknownProcessTypeError extends SdnodeError {
  readonly code = 'EUNKNOWNTYPE';
  constructor(readonly typeName: string, readonly node: string) {
    super(`process type "${typeName}" is not defined on node ${node}`, { typeName, node });
  }
}

/** An rpc named a function that is not registered on the target node. */
export class UnknownFunctionError extends SdnodeError {
  readonly code = 'EUNKNOWNFUNCTION';
  constructor(readonly functionName: string, readonly node: string) {
    super(`function "${functionName}" is not registered on node ${node}`, { functionName, node });
  }
}

/** A name is already registered to another process. */
export class NameTakenError extends SdnodeError {
  readonly code = 'ENAMETAKEN';
  constructor(readonly registeredName: string, readonly holder: string) {
    super(`name "${registeredName}" is already registered to ${holder}`, { name: registeredName, holder });
  }
}

/** The process already has a registered name. */
export class AlreadyRegisteredError extends SdnodeError {
  readonly code = 'EALREADYREGISTERED';
  constructor(readonly pid: string, readonly registeredName: string) {
    super(`process ${pid} is already registered as "${registeredName}"`, { pid, name: registeredName });
  }
}

/** An argument given to an API was invalid (the message says which and why). */
export class InvalidArgumentError extends SdnodeError {
  readonly code = 'EINVAL';
  constructor(readonly argument: string, reason: string) {
    super(`invalid ${argument}: ${reason}`, { argument, reason });
  }
}

/** The node is stopped or stopping; the operation cannot run. */
export class NodeStoppedError extends SdnodeError {
  readonly code = 'ENODESTOPPED';
  constructor(readonly node: string) {
    super(`node ${node} is stopped`, { node });
  }
}

/** An rpc function threw on the remote node; `error` describes what it threw. */
export class RemoteCallError extends SdnodeError {
  readonly code = 'EREMOTECALL';
  constructor(readonly node: string, readonly functionName: string, readonly error: { name: string; message: string }) {
    super(`rpc ${functionName} on ${node} failed: ${error.name}: ${error.message}`, { node, functionName, error });
  }
}

/** A function run in a worker thread (node.workers) threw; `error` describes what it threw. */
export class WorkerTaskError extends SdnodeError {
  readonly code = 'EWORKERTASK';
  constructor(readonly exportName: string, readonly error: { name: string; message: string; stack?: string }) {
    super(`worker function ${exportName} failed: ${error?.name}: ${error?.message}`, { exportName, error });
  }
}
