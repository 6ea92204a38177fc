import { SdnodeError } from './sdnode-error.js';

/** Errors of implicit process placement (@sdnode/placement). */

/**
 * Why one candidate node was not chosen, or its score when it was eligible: one line of an
 * explanation. Plain data, so an explanation crosses nodes inside the error that carries it.
 */
export interface PlacementCandidate {
  readonly node: string;
  /** The first constraint that excluded the node (e.g. `where.zone eq "a"`), absent when eligible. */
  readonly excludedBy?: string;
  /** The strategy's score for an eligible node (lower is better; e.g. its load or distance). */
  readonly score?: number;
}

const summary = (candidates: readonly PlacementCandidate[]): string => {
  if (!Array.isArray(candidates) || candidates.length === 0) return 'no node is known';
  const shown = candidates.slice(0, 5).map((c) => `${c.node}: ${c.excludedBy ?? 'eligible'}`);
  return shown.join('; ') + (candidates.length > 5 ? `; ... (${candidates.length - 5} more)` : '');
};

/** No known node satisfies a placement spec (or fewer than the count asked for). */
export class NoEligibleNodeError extends SdnodeError {
  readonly code = 'ENOELIGIBLENODE';
  constructor(
    readonly node: string,
    readonly spec: string,
    readonly wanted: number,
    readonly candidates: readonly PlacementCandidate[],
  ) {
    super(`${node}: no node fits placement ${spec} (wanted ${wanted}): ${summary(candidates)}`, { node, spec, wanted, candidates });
  }
}

/** A placement policy named by a program or a command is not defined on the node. */
export class UnknownPlacementPolicyError extends SdnodeError {
  readonly code = 'EUNKNOWNPLACEMENTPOLICY';
  constructor(readonly policy: string, readonly node: string) {
    super(`${node} has no placement policy ${policy}`, { policy, node });
  }
}

/** A placement spec is malformed: `field` says where, `reason` what is wrong. */
export class InvalidPlacementSpecError extends SdnodeError {
  readonly code = 'EINVALIDPLACEMENTSPEC';
  constructor(readonly field: string, readonly reason: string) {
    super(`placement spec: ${field}: ${reason}`, { field, reason });
  }
}
