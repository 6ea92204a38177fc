// What the placement scenarios and their peer node share: loading the built @sdnode/placement
// (libs/placement/dist) beside the core, the location hierarchy they use, and starting the peer
// node program (bench/peers/placement-peer.mjs: a node with the bench types and a Placement).
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startPeer } from './children.mjs';
import { loadCore } from './sdnode.mjs';

const PEER = fileURLToPath(new URL('../peers/placement-peer.mjs', import.meta.url));

/** The location hierarchy of every placement scenario, widest first. */
export const LEVELS = ['region', 'zone', 'rack', 'host'];

/**
 * loadCore plus the placement package: `{ core, types, placement }`. SDNODE_BENCH_PLACEMENT=<path>
 * loads another build (required with SDNODE_BENCH_CORE, for the reason given in lib/sdnode.mjs:
 * one wire library per process).
 */
export async function loadPlacement() {
  const loaded = await loadCore();
  const specifier = process.env.SDNODE_BENCH_PLACEMENT ?? (process.env.SDNODE_BENCH_CORE ? null : '@sdnode/placement');
  if (specifier === null) throw new Error('SDNODE_BENCH_CORE is set: set SDNODE_BENCH_PLACEMENT to an @sdnode/placement built against that core');
  let placement;
  try {
    placement = await import(specifier);
  } catch (err) {
    throw new Error(`cannot load ${specifier} (build it: npx tsc -b libs/placement): ${err.message}`);
  }
  if (!placement.Placement) throw new Error(`${specifier} does not export Placement`);
  return { ...loaded, placement };
}

/** A location in the bench hierarchy: region r<a>, zone r<a>z<b>, rack r<a>z<b>k<c>, host `host`. */
export function locationOf(region, zone, rack, host) {
  return { region: `r${region}`, zone: `r${region}z${zone}`, rack: `r${region}z${zone}k${rack}`, host };
}

/**
 * Start the placement peer node program in a child process with `cookie` and the Placement
 * options `options` (plain data); resolves with { name, address, stop() } once it listens.
 */
export async function startPlacementPeer(cookie, options = {}) {
  const name = `bench_place_${process.pid}_${randomBytes(2).toString('hex')}@127.0.0.1`;
  const peer = startPeer(process.execPath, [PEER, name, JSON.stringify(options)], { env: { SDNODE_BENCH_COOKIE: cookie }, label: 'placement peer node' });
  try {
    const line = await peer.nextLine((l) => l.startsWith('READY '), 30_000);
    const { address } = JSON.parse(line.slice(6));
    return { name, address, stop: () => peer.stop(5000) };
  } catch (err) {
    await peer.stop();
    throw err;
  }
}

/**
 * Resolves once `test()` is true, checking it now and on every change of `placement`'s view (no
 * polling); rejects after `timeoutMs` with `what`.
 */
export function whenView(placement, test, { timeoutMs = 10_000, what = 'placement view' } = {}) {
  return new Promise((resolve, reject) => {
    if (test()) return resolve();
    const timer = setTimeout(() => {
      off();
      reject(new Error(`${what}: not within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = placement.subscribe(() => {
      if (!test()) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}
