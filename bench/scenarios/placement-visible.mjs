// placement.attr.visible.p50 / .p99: milliseconds from an attribute change on node A until a
// placement decision on node B sees it. A and B are two nodes of this program, each with its own
// transport on loopback (real ZeroMQ between them) and its own Placement (the packages keep no
// module-level state, so the two share only the process, and with it one clock). Sample i:
// `placementA.setAttribute('epoch', i)` (A's reporter sends its ATTRS to B on the next turn of the
// event loop); on B, a view subscriber checks on every change of B's view whether
// `placementB.chooseNode({ where: { epoch: i } })` returns A (NoEligibleNodeError until it does);
// the sample is the time from just before setAttribute until that choice. Samples run one at a
// time, each after a random pause of 0-4 ms (so a change starts from an idle event loop, not from
// inside the previous sample's delivery), after 20 warm-up samples; a sample not seen within 5 s
// fails the scenario.
//
// placement.attr.refresh.p50 (what=refresh): the same for a built-in attribute, which changes only when A samples
// it (every refreshInterval, 1000 ms by default): A spawns one process, and the sample runs until
// `chooseNode({ where: { processes: { ge: count } }, self: 'exclude' })` on B returns A. The figure
// is mostly the wait for A's next sampling (about half the interval on average): it shows what a
// spec on a built-in attribute works with. n changes at random times over n/5 sampling intervals
// (so each falls at a random phase of A's sampling timer, and several wait for the same one),
// after 1 warm-up change.
// Usage: node placement-visible.mjs <samples> [what=change|refresh]
import { emit, main, scenarioArgs } from '../lib/result.mjs';
import { percentile } from '../lib/stats.mjs';
import { loadPlacement, LEVELS, locationOf, whenView } from '../lib/placement.mjs';
import { listenAddress, newCookie, nodeName, silentLogger, startNode, stopNode } from '../lib/sdnode.mjs';

const WARMUP = 20;
const DEADLINE_MS = 5000;
/** Placement's default refreshInterval (both nodes use the default). */
const REFRESH_MS = 1000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One sample: `change()` on A, then the ms until `chooseNode(spec)` on B returns `a` (checked on
 * every change of B's view, never by polling). Rejects after `deadlineMs`.
 */
function sample(placementB, a, spec, change, NoEligibleNodeError, deadlineMs = DEADLINE_MS) {
  return new Promise((resolve, reject) => {
    let t0 = 0;
    let off = () => undefined;
    const timer = setTimeout(() => {
      off();
      reject(new Error(`B did not choose A for ${JSON.stringify(spec)} within ${deadlineMs} ms`));
    }, deadlineMs);
    off = placementB.subscribe(() => {
      // A listener runs inside B's view update: it must never throw into the reporter.
      try {
        const chosen = placementB.chooseNode(spec);
        const t = performance.now();
        clearTimeout(timer);
        off();
        if (chosen === a) resolve(t - t0);
        else reject(new Error(`B chose ${chosen} for ${JSON.stringify(spec)}, not A`));
      } catch (err) {
        if (err instanceof NoEligibleNodeError) return; // not seen yet
        clearTimeout(timer);
        off();
        reject(err);
      }
    });
    t0 = performance.now();
    change();
  });
}

main(async () => {
  const { n, opts } = scenarioArgs(200);
  const what = opts.what ?? 'change';
  if (what !== 'change' && what !== 'refresh') throw new Error(`what=${what}: expected change or refresh`);
  const loaded = await loadPlacement();
  const { Placement, NoEligibleNodeError } = loaded.placement;
  const { Idle } = loaded.types;
  const cookie = newCookie();
  const a = await startNode(loaded, { role: 'attr_a', name: nodeName('attr_a'), cookie, logger: silentLogger });
  let b;
  try {
    b = await startNode(loaded, { role: 'attr_b', name: nodeName('attr_b'), cookie, logger: silentLogger });
    const pa = Placement.start(a, { locationLevels: LEVELS, location: locationOf(0, 0, 0, 'a') });
    const pb = Placement.start(b, { locationLevels: LEVELS, location: locationOf(0, 0, 1, 'b') });
    await b.connect(a.name, { address: listenAddress(a), timeout: 10_000 });
    await Promise.all([
      whenView(pb, () => pb.view.has(a.name), { what: "A in B's placement view" }),
      whenView(pa, () => pa.view.has(b.name), { what: "B in A's placement view" }),
    ]);

    if (what === 'change') {
      const out = new Float64Array(WARMUP + n);
      for (let i = 0; i < out.length; i++) {
        await sleep(Math.random() * 4);
        out[i] = await sample(pb, a.name, { where: { epoch: i } }, () => pa.setAttribute('epoch', i), NoEligibleNodeError);
      }
      const sorted = Array.from(out.subarray(WARMUP)).sort((x, y) => x - y);
      process.stderr.write(`attribute change: p50 ${percentile(sorted, 50).toFixed(3)} ms, p99 ${percentile(sorted, 99).toFixed(3)} ms, max ${sorted[sorted.length - 1].toFixed(3)} ms\n`);
      emit('placement.attr.visible.p50', percentile(sorted, 50), 'ms', { n });
      emit('placement.attr.visible.p99', percentile(sorted, 99), 'ms', { n });
      return;
    }

    // what=refresh: the changes come at random times over a window of n/5 intervals (several
    // wait for the same sampling), so each one falls at a random phase of A's sampling timer; one
    // warm-up change first.
    const oneChange = () => {
      const count = a.info().processCount + 1;
      const spec = { where: { processes: { ge: count } }, self: 'exclude' }; // a fresh spec per sample, as written inline
      const spawnOne = () => {
        a.spawn(Idle);
        if (a.info().processCount < count) throw new Error('the process count on A did not grow');
      };
      return sample(pb, a.name, spec, spawnOne, NoEligibleNodeError, 3 * REFRESH_MS);
    };
    await oneChange();
    const windowMs = Math.ceil(n / 5) * REFRESH_MS;
    const refresh = await Promise.all(
      Array.from({ length: n }, async () => {
        await sleep(Math.random() * windowMs);
        return oneChange();
      }),
    );
    refresh.sort((x, y) => x - y);
    process.stderr.write(`built-in attribute (sampled every ${REFRESH_MS} ms): p50 ${percentile(refresh, 50).toFixed(1)} ms, max ${refresh[refresh.length - 1].toFixed(1)} ms over ${refresh.length}\n`);
    emit('placement.attr.refresh.p50', percentile(refresh, 50), 'ms', { n: refresh.length, max: refresh[refresh.length - 1] });
  } finally {
    if (b) await stopNode(b);
    await stopNode(a);
  }
});
