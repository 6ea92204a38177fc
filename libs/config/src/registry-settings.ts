/**
 * Registry settings: one mapping of `{mode, replicas, resolver, tombstoneTtl}` that configures a
 * name scope of @sdnode/registry, read into a RegistryConfig with every field filled in. The
 * top-level `registry` section configures the global scope; the same function is meant to read
 * the per-group settings of the s_groups layer, with the global settings as the base.
 */
import {
  CONFIG_DEFAULTS,
  MAX_REGISTRY_REPLICAS,
  REGISTRY_MODES,
  REGISTRY_RESOLVERS,
  type RegistryConfig,
  type RegistryMode,
  type ResolverName,
} from './cluster-config.js';
import type { PathProblem, PathSegment } from './source-document.js';
import { asObject, parseDuration } from './values.js';

/**
 * The settings of `raw` (a registry-settings mapping, or absent) at `path`, each field not given
 * taken from `base` (default: CONFIG_DEFAULTS.registry). Like the rest of the normaliser it reads
 * values of the wrong shape as absent, the schema having reported them; the checks the schema
 * cannot make are pushed onto `problems`.
 */
export function normaliseRegistrySettings(
  raw: unknown,
  path: readonly PathSegment[],
  problems: PathProblem[],
  base: RegistryConfig = CONFIG_DEFAULTS.registry,
): RegistryConfig {
  const fields = asObject(raw) ?? {};
  const tombstoneTtl = parseDuration(fields['tombstoneTtl']) ?? base.tombstoneTtl;
  if (tombstoneTtl === 0) {
    problems.push({
      path: [...path, 'tombstoneTtl'],
      message: 'the tombstone TTL must be greater than zero (a deleted name is remembered until every holder has heard of the deletion)',
    });
  }
  return {
    mode: oneOf(fields['mode'], REGISTRY_MODES) ?? base.mode,
    replicas: replicasOf(fields['replicas']) ?? base.replicas,
    resolver: oneOf(fields['resolver'], REGISTRY_RESOLVERS) ?? base.resolver,
    tombstoneTtl,
  };
}

function oneOf<T extends RegistryMode | ResolverName>(value: unknown, allowed: readonly T[]): T | undefined {
  return allowed.find((a) => a === value);
}

/** An integer 0..MAX_REGISTRY_REPLICAS, else undefined. */
function replicasOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_REGISTRY_REPLICAS ? value : undefined;
}
