import { SdnodeError } from './sdnode-error.js';

/**
 * A node the test harness started (an OS process or a container) ended while the harness needed
 * it: at start, or while something waited on it. `status` says how it ended.
 */
export class NodeExitedError extends SdnodeError {
  readonly code = 'ENODEEXITED';
  constructor(readonly node: string, readonly status: string) {
    super(`node ${node} ended (${status})`, { node, status });
  }
}

/** A fault (partition, freeze, kill...) could not be injected or undone; `reason` says why. */
export class FaultInjectionError extends SdnodeError {
  readonly code = 'EFAULTINJECTION';
  constructor(readonly fault: string, reason: string) {
    super(`cannot ${fault}: ${reason}`, { fault, reason });
  }
}

/** The container runtime (Docker, testcontainers, the node image) failed or is missing. */
export class ContainerRuntimeError extends SdnodeError {
  readonly code = 'ECONTAINERRUNTIME';
  constructor(readonly operation: string, reason: string) {
    super(`${operation} failed: ${reason}`, { operation, reason });
  }
}
