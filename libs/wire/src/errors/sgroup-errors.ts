import { SdnodeError } from './sdnode-error.js';

/** Errors of s_groups (@sdnode/sgroups): membership changes and group name spaces. */

/** A list for a message (also when a rebuilt error's field is not an array). */
const listed = (xs: readonly string[]): string => (Array.isArray(xs) ? xs.join(', ') : String(xs));

/** Only a member of an s_group may change it, or register in its name space. */
export class NotGroupMemberError extends SdnodeError {
  readonly code = 'ENOTGROUPMEMBER';
  constructor(readonly group: string, readonly node: string) {
    super(`${node} is not a member of s_group ${group}`, { group, node });
  }
}

/** An s_group of this name exists already (create). */
export class GroupExistsError extends SdnodeError {
  readonly code = 'EGROUPEXISTS';
  constructor(readonly group: string, readonly members: readonly string[]) {
    super(`s_group ${group} exists (members: ${listed(members)})`, { group, members });
  }
}

/** No s_group of this name is known here. */
export class UnknownGroupError extends SdnodeError {
  readonly code = 'EUNKNOWNGROUP';
  constructor(readonly group: string, readonly node: string) {
    super(`${node} knows no s_group ${group}`, { group, node });
  }
}

/** A node cannot remove itself from an s_group (another member must). */
export class CannotRemoveSelfError extends SdnodeError {
  readonly code = 'ECANNOTREMOVESELF';
  constructor(readonly group: string, readonly node: string) {
    super(`${node} cannot remove itself from s_group ${group}`, { group, node });
  }
}

/** Another change of the same s_group was agreed first (or is in progress); nothing was changed. */
export class ConcurrentChangeError extends SdnodeError {
  readonly code = 'ECONCURRENTCHANGE';
  constructor(readonly group: string, readonly by: string, readonly version: number) {
    super(`s_group ${group} was changed concurrently (version ${version} by ${by}); retry on the current definition`, { group, by, version });
  }
}

/** The global name space belongs to free nodes: an s_group node may not use it (SD Erlang's the_node_is_not_free). */
export class NodeNotFreeError extends SdnodeError {
  readonly code = 'ENODENOTFREE';
  constructor(readonly node: string, readonly groups: readonly string[]) {
    super(`${node} is not free (it is in s_groups ${listed(groups)}): use a group's name space`, { node, groups });
  }
}
