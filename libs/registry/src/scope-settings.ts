import { InvalidArgumentError } from '@sdnode/wire';
import type { ScopeMode } from './ops.js';
import { RESOLVER_NAMES, type Resolver } from './resolvers.js';

/** Options of one scope (the global one, or one given to `Registry.addScope`). */
export interface ScopeOptions {
  /** `replicated` (default): every member holds every name. `partitioned`: owner + `replicas` hold each name. */
  readonly mode?: ScopeMode;
  /** Partitioned mode: holders besides the owner (default 2). */
  readonly replicas?: number;
  /** How conflicts after a healed partition are resolved (default `exitLoser`). */
  readonly resolver?: Resolver;
  /** How long deleted registration ids are remembered, ms (default 30000). */
  readonly tombstoneTtl?: number;
  /**
   * How long a new view may wait for every member's report before owners decide anyway, ms
   * (default 2000). Only a member that cannot reach every other member (a partial partition)
   * makes a view wait this long.
   */
  readonly settleTimeout?: number;
  /** Default timeout of register, unregister and remote lookups, ms (default 5000). */
  readonly requestTimeout?: number;
  /** Partitioned mode: names cached from remote lookups (default 100000). */
  readonly cacheSize?: number;
}

export interface ScopeSettings {
  readonly mode: ScopeMode;
  readonly replicas: number;
  readonly resolver: Resolver;
  readonly tombstoneTtl: number;
  readonly settleTimeout: number;
  readonly requestTimeout: number;
  readonly cacheSize: number;
}

export const SCOPE_DEFAULTS: ScopeSettings = Object.freeze({
  mode: 'replicated',
  replicas: 2,
  resolver: 'exitLoser',
  tombstoneTtl: 30_000,
  settleTimeout: 2_000,
  requestTimeout: 5_000,
  cacheSize: 100_000,
});

const positive = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

/** Fill in defaults and check every option (InvalidArgumentError naming the option). */
export function scopeSettings(options: ScopeOptions = {}): ScopeSettings {
  const s = { ...SCOPE_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as ScopeSettings;
  if (s.mode !== 'replicated' && s.mode !== 'partitioned') throw new InvalidArgumentError('mode', `"${String(s.mode)}" is not replicated or partitioned`);
  if (!Number.isInteger(s.replicas) || s.replicas < 0 || s.replicas > 16) throw new InvalidArgumentError('replicas', 'must be an integer from 0 to 16');
  if (typeof s.resolver !== 'function' && !RESOLVER_NAMES.includes(s.resolver)) {
    throw new InvalidArgumentError('resolver', `"${String(s.resolver)}" is not one of ${RESOLVER_NAMES.join(', ')} or a function`);
  }
  for (const key of ['tombstoneTtl', 'settleTimeout', 'requestTimeout', 'cacheSize'] as const) {
    if (!positive(s[key])) throw new InvalidArgumentError(key, 'must be a positive number');
  }
  return s;
}
