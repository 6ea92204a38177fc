export {
  Placement,
  type PlacementOptions,
  type SpecRef,
  type Explanation,
  type NodeReport,
  type PlacementInfo,
  type PlacedChildSpec,
  type PlacedChild,
} from './placement.js';
export {
  normalizeSpec,
  describeSpec,
  isLevel,
  type PlacementSpec,
  type NormalSpec,
  type AttributeCondition,
  type NearSpec,
  type AwaySpec,
  type PlacementTarget,
  type StrategyName,
  type DistanceLevel,
} from './placement-spec.js';
export { PlacementQuery, type QueryHost } from './placement-query.js';
export { ClusterView, type NodeEntry, type ViewListener } from './cluster-view.js';
export { BUILTIN_ATTRIBUTES, isAttributeValue, type AttributeValue, type Attributes } from './attributes.js';
export { sharedLevels, ultrametric, withinLevel, commonLevel, levelDepth, spreadKey, type Location } from './distance.js';
export type { GroupSource } from './filters.js';
export type { PlacedSpawnOptions, Placed } from './spawn-placed.js';
export { PlacementFunctions } from './placement-functions.js';
export { PLACEMENT_CHANNEL, parsePlacementMessage, type PlacementMessage } from './placement-protocol.js';
export { NoEligibleNodeError, UnknownPlacementPolicyError, InvalidPlacementSpecError, type PlacementCandidate } from '@sdnode/wire';
