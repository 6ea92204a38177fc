import type { Attributes } from '../attributes.js';
import { ClusterView } from '../cluster-view.js';
import type { Location } from '../distance.js';
import type { GroupSource } from '../filters.js';
import { normalizeSpec, type PlacementSpec } from '../placement-spec.js';
import { PlacementQuery, type QueryHost } from '../placement-query.js';

export const LEVELS = ['region', 'zone', 'rack', 'host'] as const;

/** A deterministic random (mulberry32), so strategy tests replay. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Groups as a plain mutable map (bump `version` after a change). */
export class FakeGroups implements GroupSource {
  version = 0;
  constructor(readonly members: Map<string, Set<string>> = new Map()) {}
  isMember(group: string, node: string): boolean {
    return this.members.get(group)?.has(node) === true;
  }
  set(group: string, nodes: readonly string[]): void {
    this.members.set(group, new Set(nodes));
    this.version++;
  }
}

export interface TestHost extends QueryHost {
  readonly view: ClusterView;
  clock: number;
  names: Map<string, string>;
  query(spec: PlacementSpec): PlacementQuery;
  report(node: string, attributes: Attributes, location?: Location): void;
}

/** A view of this node (`self`, no attributes, no location) and whatever the test reports, with a settable clock and names. */
export function testHost(options: { self?: string; levels?: readonly string[]; groups?: GroupSource; seed?: number } = {}): TestHost {
  const levels = options.levels ?? LEVELS;
  const view = new ClusterView(options.self ?? 'self@h', levels);
  const host: TestHost = {
    view,
    groups: options.groups,
    clock: 0,
    names: new Map(),
    random: seeded(options.seed ?? 1),
    now: () => host.clock,
    resolveName: (_scope, name) => host.names.get(name),
    query: (spec) => new PlacementQuery(normalizeSpec(spec, levels), JSON.stringify(spec), host),
    report: (node, attributes, location = {}) => void view.report(node, attributes, location, host.clock),
  };
  view.report(view.self, {}, {}, 0);
  return host;
}

/** `n` nodes over regions x zones x racks (one host each), with a load and a tier. */
export function populate(host: TestHost, n: number, shape: { regions?: number; zones?: number; racks?: number } = {}): string[] {
  const regions = shape.regions ?? 2;
  const zones = shape.zones ?? 3;
  const racks = shape.racks ?? 2;
  const names: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = `n${String(i).padStart(4, '0')}@h`;
    const location = { region: `r${i % regions}`, zone: `z${Math.floor(i / regions) % zones}`, rack: `k${Math.floor(i / (regions * zones)) % racks}`, host: `h${i}` };
    host.report(name, { load: (i * 37) % 100 / 100, tier: i % 2 === 0 ? 'web' : 'db', processes: i % 7 }, location);
    names.push(name);
  }
  return names;
}
