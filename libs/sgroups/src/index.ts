export { SGroups, type SGroupsOptions, type SGroupsInfo, type NodeKind, type SGroupNodeEvent } from './sgroups.js';
export { SGroupPolicy } from './sgroup-policy.js';
export { GroupNames, type LookupOptions } from './group-names.js';
export type { ChangeResult, ChangeOptions, NodeProblem } from './agreement.js';
export { compareVersions, configDefinition, type GroupDefinition, type GroupVersion } from './group-definition.js';
export { FreeScopeMembership, GroupScopeMembership } from './scope-memberships.js';
export { SGroupFunctions } from './sgroup-functions.js';
export { SGROUPS_CHANNEL } from './sgroup-ops.js';
export { ClusterGroups } from './cluster-groups.js';
