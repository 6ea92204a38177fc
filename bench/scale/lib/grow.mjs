// Growing a scale benchmark's multi-mode cluster, and waiting for its registry to settle: what the
// DE-Bench and registry points share.
//
// Nodes join in waves of `wave`, each wave once the previous one is meshed (or has stopped getting
// closer to it): a full mesh of 100+ nodes started at once makes every node dial every other at
// the same moment (the first node's gossip names them all), and on two CPUs that herd of
// handshakes times out. Growing the cluster keeps each herd to wave x size dials. A pair a herd
// left unconnected is connected on demand by the first operation between them, as in Erlang;
// `meshMissing` says how many connections the mesh lacked when growing ended.
import { meshOrStall } from './mesh.mjs';

/**
 * Start `names` in waves of `wave` with the harness's Cluster (`options`: Cluster.start's options
 * but `nodes` and `waitForMesh`), each wave once the previous ones form their planned mesh (`plan`:
 * layout.targetsOf) or stop getting closer to it, all before `meshTimeout` ms from the start.
 * Resolves with `{ cluster, startSeconds, grown, meshMissing }`, or, when the cluster could not grow
 * to every node (nodes that do not start in time on a saturated machine), with `{ cluster: null,
 * stopped, grown, meshMissing }` after closing what had started: that is a result, not a failure.
 * A first wave that cannot start rejects.
 */
export async function growCluster(harness, { names, plan, options, wave = 16, meshTimeout = 90_000 }) {
  const t0 = performance.now();
  const cluster = await harness.Cluster.start({ ...options, waitForMesh: false, nodes: names.slice(0, wave) });
  let meshMissing = 0;
  let grown = Math.min(wave, names.length);
  try {
    const deadline = t0 + meshTimeout;
    meshMissing = await meshOrStall(cluster, plan, names.slice(0, grown), deadline);
    for (let i = wave; i < names.length; i += wave) {
      await cluster.startNodes(names.slice(i, i + wave));
      grown = Math.min(names.length, i + wave);
      meshMissing = await meshOrStall(cluster, plan, names.slice(0, grown), deadline);
    }
  } catch (error) {
    const seconds = (performance.now() - t0) / 1000;
    await cluster.close().catch(() => undefined);
    const reason = `${error?.name ?? 'Error'}: ${String(error?.message ?? error).split('\n')[0].slice(0, 160)}`;
    return { cluster: null, stopped: `could not grow past ${grown} nodes in ${seconds.toFixed(0)} s (${meshMissing} mesh connections missing at ${grown}; then ${reason})`, grown, meshMissing };
  }
  return { cluster, startSeconds: (performance.now() - t0) / 1000, grown, meshMissing };
}

/**
 * Wait until every registry scope of every node is `stable` (each member syncs its view with the
 * others after the mesh forms; registrations made before wait for that), and, with `fullView`, the
 * global scope's view of every node holds all `names`. Resolves with `{ settled, settleSeconds,
 * views }` (`views`: each node's global view size at the end, when known); never rejects on the
 * timeout: the point is measured anyway and says so.
 */
export async function waitForRegistry(cluster, names, { timeout = 60_000, fullView = false } = {}) {
  const t1 = performance.now();
  let views = [];
  let settled = true;
  await cluster
    .waitUntil(
      async () => {
        const states = await Promise.all(names.map((name) => cluster.state(name, { timeout: 10_000 })));
        views = states.map((s) => (s.scopes ?? []).find((sc) => sc.scope === 'global')?.members.length ?? 0);
        const stable = states.every((s) => (s.scopes ?? []).length > 0 && s.scopes.every((sc) => sc.state === 'stable'));
        return stable && (!fullView || views.every((v) => v === names.length));
      },
      { timeout, interval: 250, what: fullView ? 'every registry scope stable, every global view complete' : 'every registry scope stable' },
    )
    .catch(() => (settled = false));
  return { settled, settleSeconds: (performance.now() - t1) / 1000, views };
}

const delta = (after, before, key) => (after?.[key] ?? 0) - (before?.[key] ?? 0);

/**
 * Sum over nodes of what each received between two snapshots of its frame counters (`before`,
 * `after`: as lib/node-frames.mjs takes them): frames by kind and by control channel, every frame
 * and every byte received.
 */
export function frameTotals(snapshots) {
  const byKind = {};
  const byChannel = {};
  let framesReceived = 0;
  let bytesReceived = 0;
  for (const { before, after } of snapshots) {
    for (const k of new Set([...Object.keys(after.byKind ?? {}), ...Object.keys(before.byKind ?? {})])) byKind[k] = (byKind[k] ?? 0) + delta(after.byKind, before.byKind, k);
    for (const ch of new Set([...Object.keys(after.byChannel ?? {}), ...Object.keys(before.byChannel ?? {})])) byChannel[ch] = (byChannel[ch] ?? 0) + delta(after.byChannel, before.byChannel, ch);
    framesReceived += delta(after, before, 'framesReceived');
    bytesReceived += delta(after, before, 'bytesReceived');
  }
  return { byKind, byChannel, framesReceived, bytesReceived };
}

/**
 * The harness options of a scale point's multi-mode cluster: `module` loaded by every node, the
 * production tick time, `processes` workers, placement on or off, extra Node.js flags for the
 * workers (`nodeArgs`, e.g. CPU profiles) and a cluster file (`config`) when there is one.
 */
export function multiClusterOptions({ cookie, module, tickMs, processes, placement, nodeArgs, config }) {
  return {
    mode: 'multi',
    cookie,
    module,
    timeout: 60_000,
    netTickTime: tickMs,
    report: (text) => process.stderr.write(`${text.slice(0, 4_000)}\n`),
    multi: { processes, placement, ...(nodeArgs !== undefined ? { nodeArgs } : {}) },
    ...(config !== undefined ? { config } : {}),
  };
}
