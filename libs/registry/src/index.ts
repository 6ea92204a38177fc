export { Registry, GLOBAL_SCOPE, RegistryFunctions, type RegistryOptions } from './registry.js';
export { Scope, type ScopeInfo } from './scope.js';
export type { RegisterResult } from './register-result.js';
export type { RegistryEntry } from './entry.js';
export { ProcessGroups } from './process-groups.js';
export { FreeNodesMembership, FixedMembership, type MembershipSource } from './membership.js';
export { SCOPE_DEFAULTS, type ScopeOptions, type ScopeSettings } from './scope-settings.js';
export {
  RESOLVER_NAMES,
  isNameConflictReason,
  nameConflictReason,
  type Resolver,
  type ResolverName,
  type ResolverFunction,
  type NameConflictMessage,
} from './resolvers.js';
export type { RegistryEvent, GroupEvent, UnregisterReason, Listener } from './events.js';
export type { WaitOptions } from './pending-requests.js';
export type { ScopeMode } from './ops.js';
export type { ViewState } from './scope-view.js';
export type { ScopeStats } from './scope-core.js';
