import { SdnodeError } from './sdnode-error.js';

/**
 * Errors of the distributed registry (@sdnode/registry) and, later, of s_group name spaces.
 * Expected outcomes of a registration (the name is taken, the pid already has a name, the pid
 * is dead) are results, not errors; these are for calls that cannot be made at all.
 */

/** Only members of a scope may write to it (register, unregister, join a group). */
export class NotAMemberError extends SdnodeError {
  readonly code = 'ENOTMEMBER';
  constructor(readonly scope: string, readonly node: string, why = 'is not a member of') {
    super(`${node} ${why} scope ${scope}`, { scope, node });
  }
}

/** No scope of this name runs on the node. */
export class UnknownScopeError extends SdnodeError {
  readonly code = 'EUNKNOWNSCOPE';
  constructor(readonly scope: string, readonly node: string) {
    super(`no registry scope ${scope} on ${node}`, { scope, node });
  }
}

/** A scope of this name already runs on the node. */
export class ScopeExistsError extends SdnodeError {
  readonly code = 'ESCOPEEXISTS';
  constructor(readonly scope: string, readonly node: string) {
    super(`registry scope ${scope} already exists on ${node}`, { scope, node });
  }
}

/** send(name, msg) to a name that is not registered in the scope (Erlang's badarg). */
export class NameNotRegisteredError extends SdnodeError {
  readonly code = 'ENAMENOTREGISTERED';
  constructor(readonly scope: string, readonly registeredName: string) {
    super(`${registeredName} is not registered in scope ${scope}`, { scope, name: registeredName });
  }
}

/** The registry (or the scope) was stopped while the operation waited. */
export class RegistryStoppedError extends SdnodeError {
  readonly code = 'EREGISTRYSTOPPED';
  constructor(readonly scope: string, readonly node: string) {
    super(`registry scope ${scope} on ${node} stopped`, { scope, node });
  }
}
