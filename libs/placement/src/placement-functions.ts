import type { RpcFunction } from '@sdnode/core';
import { InvalidArgumentError } from '@sdnode/wire';
import { isAttributeValue } from './attributes.js';
import type { Placement } from './placement.js';
import type { PlacementSpec } from './placement-spec.js';

/** The rpc functions of a node with placement: what the CLI, the harness and other nodes ask. */
export const PlacementFunctions = {
  /** `(spec | policyName) => Explanation`: every candidate's verdict and what would be chosen. */
  explain: 'sdnode.placement.explain',
  /** `(spec | policyName, count?) => string[]`: a decision (nothing is spawned). */
  choose: 'sdnode.placement.choose',
  /** `() => NodeReport[]` (rtt null when not measured). */
  nodes: 'sdnode.placement.nodes',
  /** `() => PlacementInfo`. */
  info: 'sdnode.placement.info',
  /** `(name, value | null) => null`: set (or, with null, delete) a user-defined attribute. */
  setAttribute: 'sdnode.placement.set_attribute',
} as const;

const specArg = (v: unknown): PlacementSpec | string => {
  if (typeof v === 'string' && v.length > 0) return v;
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as PlacementSpec;
  throw new InvalidArgumentError('spec', 'a placement spec (a mapping) or a policy name');
};

export function placementFunctions(p: Placement): Record<string, RpcFunction> {
  return {
    [PlacementFunctions.explain]: (spec: unknown) => p.explain(specArg(spec)),
    [PlacementFunctions.choose]: (spec: unknown, count: unknown) => {
      if (count !== undefined && count !== null && !(Number.isInteger(count) && (count as number) >= 1)) throw new InvalidArgumentError('count', 'an integer >= 1');
      return p.chooseNodes(specArg(spec), (count as number | null | undefined) ?? undefined);
    },
    [PlacementFunctions.nodes]: () => p.nodes().map((r) => ({ ...r, rtt: r.rtt ?? null })),
    [PlacementFunctions.info]: () => p.info(),
    [PlacementFunctions.setAttribute]: (name: unknown, value: unknown) => {
      if (typeof name !== 'string' || name.length === 0) throw new InvalidArgumentError('name', 'an attribute name');
      if (value === null) p.deleteAttribute(name);
      else if (isAttributeValue(value)) p.setAttribute(name, value);
      else throw new InvalidArgumentError('value', 'a string, a finite number, a boolean, or null to delete');
      return null;
    },
  };
}
