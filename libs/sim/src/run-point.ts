import type { ScopeMode } from '@sdnode/registry';
import type { LinkModelOptions } from './link-model.js';
import { SimBackend } from './backends.js';
import { FrameTally, type InfoStats } from './frame-tally.js';
import { membershipChange, protocolMessages, registrations, type PhaseCost } from './measurements.js';
import { partitionHeal, type HealResult } from './partition-heal.js';
import { SimCluster, type SettleMode } from './sim-cluster.js';
import { VirtualClock } from './virtual-clock.js';

/** One point of the simulation: a topology, a registry mode, a size. */
export interface PointSpec {
  readonly variant: 'mesh' | 'sgroups';
  readonly mode: ScopeMode;
  /** Node names (the cluster), and the s_groups of the s_group variant (null for the mesh). */
  readonly names: readonly string[];
  readonly groups: Readonly<Record<string, readonly string[]>> | null;
  /** A name for the node the membership change adds (not in `names`). */
  readonly extraName: string;
  readonly link?: LinkModelOptions;
  /** Registrations measured (default 16). */
  readonly registrations?: number;
  readonly seed?: number;
  /** Nodes started per wave (default 64). */
  readonly wave?: number;
  /** How phases settle (default: quiet for 2.5 s of virtual time, at most 120 s). */
  readonly settle?: SettleMode;
  /** Skip the partition and heal (the costliest phase of a large full mesh). */
  readonly skipHeal?: boolean;
}

export interface PointResult {
  readonly variant: 'mesh' | 'sgroups';
  readonly mode: ScopeMode;
  readonly nodes: number;
  readonly groups: number;
  readonly link: LinkModelOptions;
  readonly connections: { readonly mean: number; readonly min: number; readonly max: number; readonly total: number };
  readonly start: PhaseCost & { readonly wallMs: number };
  /** Heap used per node after the start (after a GC when run with --expose-gc), bytes. */
  readonly heapPerNode: number;
  /** The s_group INFOs sent while the cluster started. */
  readonly startInfo: InfoStats;
  /** What each node holds after the start: s_group definitions it adopted (live and deleted; the cluster file's others are shared) and addresses known (mean, max). */
  readonly state: { readonly defsMean: number; readonly defsMax: number; readonly addressesMean: number; readonly addressesMax: number };
  readonly registration: PhaseCost & { readonly count: number; readonly failed: number };
  readonly membership: PhaseCost & { readonly ok: boolean };
  readonly heal: HealResult | null;
  readonly events: number;
  readonly lostFrames: number;
  readonly wallMs: number;
}

/** Real milliseconds since `t` (performance.now is virtual while the clock is installed). */
function wallSince(t: bigint): number {
  return Number(process.hrtime.bigint() - t) / 1e6;
}

function heapUsed(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

/** Definitions and addresses each node holds (mean and max over the nodes). */
function nodeState(c: SimCluster): PointResult['state'] {
  let defs = 0;
  let defsMax = 0;
  let addresses = 0;
  let addressesMax = 0;
  for (const n of c.nodes) {
    const d = n.sgroups.table.size;
    const a = n.policy.addressBook.size;
    defs += d;
    addresses += a;
    defsMax = Math.max(defsMax, d);
    addressesMax = Math.max(addressesMax, a);
  }
  const count = Math.max(1, c.nodes.length);
  return { defsMean: defs / count, defsMax, addressesMean: addresses / count, addressesMax };
}

/** Run one point in virtual time (installs the virtual clock for its duration) and return its figures. */
export async function runPoint(spec: PointSpec): Promise<PointResult> {
  const settle = spec.settle ?? { quietMs: 2500, maxMs: 120_000 };
  const wallStart = process.hrtime.bigint();
  const heap0 = heapUsed();
  const clock = new VirtualClock().install();
  try {
    const v0 = clock.now;
    const c = await SimCluster.start(clock, {
      names: spec.names,
      groups: spec.groups,
      scope: { mode: spec.mode },
      backend: 'sim',
      ...(spec.link !== undefined ? { link: spec.link } : {}),
      wave: spec.wave ?? 64,
      settle,
    });
    const counts = c.tally.snapshot();
    const start = {
      frames: FrameTally.frames(counts),
      messages: protocolMessages(counts),
      handshakes: c.backend.handshakeMessages(),
      virtualMs: clock.now - v0,
      counts,
      wallMs: wallSince(wallStart),
    };
    const heapPerNode = (heapUsed() - heap0) / spec.names.length;
    const startInfo = c.tally.info();
    const state = nodeState(c);
    const connections = c.connections();
    const count = spec.registrations ?? 16;
    const registration = { ...(await registrations(c, count, spec.seed ?? 1, settle)), count };
    const membership = await membershipChange(c, spec.extraName, settle);
    const heal = spec.skipHeal === true ? null : await partitionHeal(c, settle);
    const result: PointResult = {
      variant: spec.variant,
      mode: spec.mode,
      nodes: spec.names.length,
      groups: spec.groups === null ? 0 : Object.keys(spec.groups).length,
      link: spec.link ?? {},
      connections,
      start,
      heapPerNode,
      startInfo,
      state,
      registration,
      membership,
      heal,
      events: clock.events,
      lostFrames: c.backend instanceof SimBackend ? c.backend.network.model.lost : 0,
      wallMs: wallSince(wallStart),
    };
    await c.stop();
    return result;
  } finally {
    clock.uninstall();
  }
}
