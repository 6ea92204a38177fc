// What the registry scenarios and their peer nodes share: loading the built @sdnode/registry (and
// its hash ring, to know which node owns or holds a name), starting a node with a registry,
// spawning idle processes, registering and looking up in bulk, waiting on a condition, and the
// names of the rpc functions a registry peer answers (bench/peers/registry-peer.mjs).
import { nowNs } from './result.mjs';
import { loadCore } from './sdnode.mjs';

/** The rpc functions of a registry peer node (see bench/peers/registry-peer.mjs for each). */
export const PEER_FUNCTIONS = {
  awaitView: 'bench.registry.await_view',
  awaitCount: 'bench.registry.await_count',
  registerOwn: 'bench.registry.register_own',
  lookups: 'bench.registry.lookups',
  ackRegistered: 'bench.registry.ack_registered',
  awaitJoined: 'bench.pg.await_joined',
  ackJoined: 'bench.pg.ack_joined',
  cpuUsage: 'bench.cpu_usage',
};

/**
 * loadCore plus the registry: `{ core, types, registry, Ring }`. `Ring` is the registry's own
 * consistent hash ring (dist/ring.js, not exported by the package): the bench uses it to tell
 * which node owns and which nodes hold a name in a view, exactly as the registry decides it.
 * SDNODE_BENCH_REGISTRY=<path> loads another build (required with SDNODE_BENCH_CORE, for the
 * reason given in lib/sdnode.mjs: one wire library per process).
 */
export async function loadRegistry() {
  const loaded = await loadCore();
  const specifier = process.env.SDNODE_BENCH_REGISTRY ?? (process.env.SDNODE_BENCH_CORE ? null : '@sdnode/registry');
  if (specifier === null) throw new Error('SDNODE_BENCH_CORE is set: set SDNODE_BENCH_REGISTRY to an @sdnode/registry built against that core');
  let registry;
  let ring;
  try {
    registry = await import(specifier);
    ring = await import(new URL('./ring.js', import.meta.resolve(specifier)).href);
  } catch (err) {
    throw new Error(`cannot load ${specifier} (build it: npx tsc -b tsconfig.build.json): ${err.message}`);
  }
  if (!registry.Registry || !ring.Ring) throw new Error(`${specifier} does not export Registry (or has no dist/ring.js)`);
  return { ...loaded, registry, Ring: ring.Ring };
}

/** Registry options of the global scope from a scenario's key=value options (mode, replicas). */
export function scopeOptions(opts = {}) {
  const mode = opts.mode ?? 'replicated';
  if (mode !== 'replicated' && mode !== 'partitioned') throw new Error(`mode=${mode}: expected replicated or partitioned`);
  return mode === 'partitioned' ? { mode, replicas: Number(opts.replicas ?? 2) } : { mode };
}

/** Start a node on loopback with the bench types and a registry whose global scope has `scope` options. */
export async function startRegistryNode(loaded, { name, cookie, scope, logger }) {
  const node = await loaded.core.Node.start({ name, cookie, listen: 'tcp://127.0.0.1:0', types: loaded.types.all, ...(logger ? { logger } : {}) });
  const registry = loaded.registry.Registry.start(node, { global: scope });
  return { node, registry, global: registry.global };
}

/** Spawn `count` idle processes (bench.idle) on `node`. */
export function spawnIdle(node, types, count) {
  const pids = new Array(count);
  for (let i = 0; i < count; i++) pids[i] = node.spawn(types.Idle);
  return pids;
}

/** `count` names `<prefix><i>`. */
export function names(prefix, count, from = 0) {
  const out = new Array(count);
  for (let i = 0; i < count; i++) out[i] = `${prefix}${from + i}`;
  return out;
}

/**
 * Register names[i] -> pids[i], all calls started before any is awaited; throws unless every one
 * is ok. `timeout` (ms): of each call, when the scope's default (requestTimeout, 5 s) is too short
 * for the whole batch.
 */
export async function registerAll(scope, nameList, pids, timeout) {
  const options = timeout === undefined ? undefined : { timeout };
  const pending = new Array(nameList.length);
  for (let i = 0; i < nameList.length; i++) pending[i] = scope.register(nameList[i], pids[i], null, options);
  const results = await Promise.all(pending);
  const failed = results.findIndex((r) => !r.ok);
  if (failed >= 0) throw new Error(`register ${nameList[failed]}: ${JSON.stringify(results[failed])}`);
}

/** `total` whereis calls on `scope` for `list`, round-robin: { seconds, found }. */
export function timedLookups(scope, list, total) {
  const count = list.length;
  let found = 0;
  const t0 = nowNs();
  for (let i = 0, j = 0; i < total; i++) {
    if (scope.whereis(list[j]) !== undefined) found++;
    if (++j === count) j = 0;
  }
  return { seconds: (nowNs() - t0) / 1e9, found };
}

/**
 * Resolves once `predicate()` is true, checking it now and then every `intervalMs` (a timer, so
 * the waiting node keeps its CPU for the work it waits on); rejects after `timeoutMs`.
 */
export function waitUntil(predicate, { intervalMs = 1, timeoutMs = 60_000, what = 'condition', describe } = {}) {
  return new Promise((resolve, reject) => {
    const deadline = performance.now() + timeoutMs;
    const check = () => {
      let ok;
      try {
        ok = predicate();
      } catch (err) {
        reject(err);
        return;
      }
      if (ok) resolve();
      else if (performance.now() > deadline) reject(new Error(`${what}: not within ${timeoutMs} ms${describe ? ` (${describe()})` : ''}`));
      else setTimeout(check, intervalMs);
    };
    check();
  });
}

/**
 * A promise awaited later (after other awaits): marked handled now, so that its rejection while
 * the scenario fails elsewhere does not end the program before that error is reported.
 */
export function settleLater(promise) {
  promise.catch(() => undefined);
  return promise;
}

/** Is the scope's view `size` members and stable? */
export function viewReady(scope, size) {
  const v = scope.view();
  return v.members.length === size && v.stable;
}

/** A short description of a scope on a node, for failure messages. */
export function describeScope(scope) {
  const v = scope.view();
  return `view of ${v.members.length} ${v.stable ? 'stable' : 'settling'}, ${scope.count()} names`;
}

/**
 * How many of `nameList` each member must hold in a partitioned view: the name's holders by
 * the ring (owner + replicas), plus the node of its pid (`home`), which keeps the entries of its
 * own pids. Returns Map node -> count.
 */
export function expectedHoldings(Ring, members, replicas, nameList, home) {
  const ring = new Ring(members);
  const out = new Map(members.map((m) => [m, 0]));
  for (const name of nameList) {
    const holders = ring.holders(name, replicas);
    for (const h of holders) out.set(h, out.get(h) + 1);
    if (!holders.includes(home)) out.set(home, out.get(home) + 1);
  }
  return out;
}
