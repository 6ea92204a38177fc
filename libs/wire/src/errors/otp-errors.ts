import { SdnodeError } from './sdnode-error.js';

/**
 * Errors of the OTP behaviours (@sdnode/otp). Reasons carried here are exit reasons or other
 * serialisable terms, so these errors cross nodes like the others.
 */

/**
 * Starting a behaviour process failed: its init returned stop (the exit reason), threw, or
 * returned ignore (`reason` is the string 'ignore').
 */
export class StartError extends SdnodeError {
  readonly code = 'ESTART';
  constructor(readonly target: string, readonly reason: unknown) {
    super(`start of ${target} failed: ${describe(reason)}`, { target, reason });
  }

  /** The init callback returned ignore (nothing was started, nothing failed). */
  get ignored(): boolean {
    return this.reason === 'ignore';
  }
}

/** A behaviour callback returned a value outside its legal set; the process exits with this error. */
export class BadReturnError extends SdnodeError {
  readonly code = 'EBADRETURN';
  constructor(readonly callback: string, readonly value: string) {
    super(`${callback} returned an illegal value: ${value}`, { callback, value });
  }
}

/** A server got a call or cast naming an operation it does not implement (it exits with this). */
export class UnknownRequestError extends SdnodeError {
  readonly code = 'EUNKNOWNREQUEST';
  constructor(readonly server: string, readonly request: string) {
    super(`${server} has no handler for ${request}`, { server, request });
  }
}

/** A supervisor has no child with this id (or pid). */
export class ChildNotFoundError extends SdnodeError {
  readonly code = 'ENOCHILD';
  constructor(readonly supervisor: string, readonly child: string) {
    super(`supervisor ${supervisor} has no child ${child}`, { supervisor, child });
  }
}

/** A supervisor already has a child with this id (`running`: it is running, like already_started). */
export class ChildExistsError extends SdnodeError {
  readonly code = 'ECHILDEXISTS';
  constructor(readonly supervisor: string, readonly child: string, readonly running: boolean) {
    super(`supervisor ${supervisor} already has a ${running ? 'running' : 'stopped'} child ${child}`, { supervisor, child, running });
  }
}

/** The operation needs a stopped child, and this one is running (or restarting). */
export class ChildRunningError extends SdnodeError {
  readonly code = 'ECHILDRUNNING';
  constructor(readonly supervisor: string, readonly child: string) {
    super(`child ${child} of supervisor ${supervisor} is running`, { supervisor, child });
  }
}

/** An event manager has no handler with this id. */
export class HandlerNotFoundError extends SdnodeError {
  readonly code = 'ENOHANDLER';
  constructor(readonly manager: string, readonly handler: string) {
    super(`event manager ${manager} has no handler ${handler}`, { manager, handler });
  }
}

/** An event manager already has a handler with this id. */
export class HandlerExistsError extends SdnodeError {
  readonly code = 'EHANDLEREXISTS';
  constructor(readonly manager: string, readonly handler: string) {
    super(`event manager ${manager} already has a handler ${handler}`, { manager, handler });
  }
}

/** An event handler threw (or returned an illegal value) while serving a request; it was removed. */
export class HandlerCrashError extends SdnodeError {
  readonly code = 'EHANDLERCRASH';
  constructor(readonly manager: string, readonly handler: string, readonly reason: unknown) {
    super(`handler ${handler} of event manager ${manager} crashed: ${describe(reason)}`, { manager, handler, reason });
  }
}

/** A code change was refused: the new implementation's codeChange returned an error. */
export class CodeChangeError extends SdnodeError {
  readonly code = 'ECODECHANGE';
  constructor(readonly target: string, readonly reason: unknown) {
    super(`code change of ${target} failed: ${describe(reason)}`, { target, reason });
  }
}

/** No application of this name is defined (loaded) on the node. */
export class UnknownApplicationError extends SdnodeError {
  readonly code = 'EUNKNOWNAPP';
  constructor(readonly application: string, readonly node: string) {
    super(`application ${application} is not defined on ${node}`, { application, node });
  }
}

/**
 * An application's dependencies cannot be satisfied: one is not defined on the node, or they form
 * a cycle (`path` lists the applications involved, in order).
 */
export class ApplicationDependencyError extends SdnodeError {
  readonly code = 'EAPPDEPENDENCY';
  constructor(readonly application: string, readonly problem: string, readonly path: readonly string[]) {
    super(`application ${application}: ${problem} (${path.join(' -> ')})`, { application, problem, path });
  }
}

/** The operation needs the application running on this node (stop), and it is not. */
export class ApplicationNotRunningError extends SdnodeError {
  readonly code = 'EAPPNOTRUNNING';
  constructor(readonly application: string, readonly node: string) {
    super(`application ${application} is not running on ${node}`, { application, node });
  }
}

/**
 * The operation is not allowed for a distributed application on this node: its place is decided
 * by the distributed application controllers (`reason` says what was asked).
 */
export class DistributedApplicationError extends SdnodeError {
  readonly code = 'EDISTAPP';
  constructor(readonly application: string, readonly reason: string) {
    super(`distributed application ${application}: ${reason}`, { application, reason });
  }
}

/**
 * A code upgrade on a node did not happen: `reason` says why (no such type, another behaviour,
 * a process that could not be suspended, a failing codeChange). The node runs the old version.
 */
export class UpgradeError extends SdnodeError {
  readonly code = 'EUPGRADE';
  constructor(readonly type: string, readonly node: string, readonly reason: string) {
    super(`upgrade of ${type} on ${node} failed: ${reason}`, { type, node, reason });
  }
}

function describe(reason: unknown): string {
  if (typeof reason === 'string') return reason;
  if (typeof reason === 'object' && reason !== null) {
    const r = reason as { kind?: unknown; error?: { message?: unknown }; detail?: unknown };
    if (r.kind === 'error' && typeof r.error?.message === 'string') return `error: ${r.error.message}`;
    if (typeof r.kind === 'string') return r.detail === undefined ? r.kind : `${r.kind}: ${safe(r.detail)}`;
  }
  return safe(reason);
}

function safe(value: unknown): string {
  try {
    return typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
