// placement.choose.n1000: placement decisions per second on one node that knows 1,000 nodes, for a
// spec with an attribute filter, a distance filter and least_loaded:
//   { where: { tier: 'web', memFree: { ge: 512 } }, near: { within: 'region' }, strategy: 'least_loaded' }
// held in a const (the engine compiles a query once per spec object and keeps its eligible set up
// to date incrementally). The node is local-only with a real Placement; the 1,000 synthetic nodes
// are fed into its view with `placement.view.report(...)`, as the reporter does when an ATTRS
// message arrives: 3 regions x 3 zones x 4 racks, about 28 hosts per rack, a tenth of the
// attributes a real node reports (load, memFree, tier, ...), so about 1/7 of the nodes are
// eligible. While it chooses, the loop applies reports at 1,000 per second (every node reporting
// once a second, the default refresh interval): load and memFree change with each report, and
// memFree crosses 512 now and then, so nodes enter and leave the eligible set.
//
// Figures (decisions per second; each variant runs n ms in total, in 4 blocks that alternate
// with the other variants so that all see the same machine load, after a warm-up of each):
// - placement.choose.n1000: chooseNode(SPEC) with the reports arriving (the target's figure);
// - .compiled: chooseNode(placement.compile(SPEC)), the same with the query compiled once
//   (saves the per-spec-object lookup);
// - .static: chooseNode(SPEC) with no reports (the view does not change);
// - .naive: the baseline without the incremental index, with the reports arriving: every decision
//   runs the same compiled filters over all 1,000 entries, then the same power of two choices;
// - .inline: chooseNode with a new spec object literal per call (what a program that writes the
//   spec inline in a hot path gets: every call compiles the spec and builds the eligible set).
// After every block with reports the eligible set of the compiled query is checked against the
// filters run over every entry (the incremental index must agree with a full scan).
// Usage: node placement-choose.mjs <ms per variant>
import { emit, main, scenarioArgs } from '../lib/result.mjs';
import { loadPlacement, LEVELS, locationOf } from '../lib/placement.mjs';
import { silentLogger, startNode, stopNode, yieldTurn } from '../lib/sdnode.mjs';
// The simulator's mulberry32: the synthetic cluster is the same in every run.
import { seededRandom as seeded } from '../../libs/sim/dist/link-model.js';

const NODES = 1000;
const REGIONS = 3;
const ZONES = 3;
const RACKS = 4;
/** Reports per second over the whole view (every node once a second). */
const REPORT_RATE = NODES;
/** Attribute records prepared per node (a report carries the next one). */
const VARIANTS = 8;
const BLOCKS = 4;
/** Decisions between two looks at the clock (and the reports then due). */
const CHECK_EVERY = 16;
const TIERS = ['web', 'web', 'web', 'db', 'cache', 'batch'];

const SPEC = { where: { tier: 'web', memFree: { ge: 512 } }, near: { within: 'region' }, strategy: 'least_loaded' };

/** The 1,000 synthetic nodes: name, location, and VARIANTS attribute records (frozen, as decoded reports are). */
function syntheticCluster() {
  const rnd = seeded(1000);
  const racks = REGIONS * ZONES * RACKS;
  const out = [];
  for (let i = 0; i < NODES; i++) {
    const r = i % racks;
    const name = `synthetic_${String(i).padStart(4, '0')}@10.${r}.${Math.floor(i / racks)}.1`;
    const location = Object.freeze(locationOf(Math.floor(r / (ZONES * RACKS)), Math.floor(r / RACKS) % ZONES, r % RACKS, name.split('@')[1]));
    const tier = TIERS[Math.floor(rnd() * TIERS.length)];
    const cpus = [4, 8, 16][Math.floor(rnd() * 3)];
    const memTotal = cpus * 2048;
    const variants = [];
    for (let v = 0; v < VARIANTS; v++) {
      const elu = Math.round(rnd() * 100) / 100;
      variants.push(
        Object.freeze({
          cpus,
          memTotal,
          memFree: Math.round(256 + rnd() * 3840),
          load1: Math.round(rnd() * cpus * 100) / 100,
          elu,
          lag: Math.round(rnd() * 50) / 10,
          processes: Math.floor(rnd() * 5000),
          uptime: 3600 + v,
          load: elu,
          tier,
        }),
      );
    }
    out.push({ name, location, variants });
  }
  return out;
}

main(async () => {
  const { n: ms } = scenarioArgs(2000);
  const loaded = await loadPlacement();
  const { Placement } = loaded.placement;
  const node = await startNode(loaded, { role: 'placement', local: true, logger: silentLogger });
  try {
    const placement = Placement.start(node, { locationLevels: LEVELS, location: locationOf(0, 0, 0, 'driver') });
    const view = placement.view;
    const cluster = syntheticCluster();
    for (const s of cluster) view.report(s.name, s.variants[0], s.location, performance.now());
    if (view.size !== NODES + 1) throw new Error(`view holds ${view.size} nodes, expected ${NODES + 1}`);

    let cursor = 0;
    /** The next report: node `cursor % NODES` sends its next attribute record. */
    const reportNext = () => {
      const s = cluster[cursor % NODES];
      const v = 1 + (Math.floor(cursor / NODES) % (VARIANTS - 1)); // never the same record twice in a row
      view.report(s.name, s.variants[v], s.location, performance.now());
      cursor++;
    };

    const query = placement.compile(SPEC);
    if (placement.compile(SPEC) !== query) throw new Error('compile(SPEC) did not return the cached query');
    const filters = query.filters;
    const passes = (e, ctx) => {
      for (const f of filters) if (!f.test(e, ctx)) return false;
      return true;
    };
    const candidates = new Array(NODES + 1);
    /** The baseline: all entries through the filters, then the power of two choices on `load`. */
    const naive = () => {
      const ctx = query.context();
      let m = 0;
      for (const e of view.all()) if (passes(e, ctx)) candidates[m++] = e;
      if (m === 0) throw new Error('naive: no eligible node');
      if (m === 1) return candidates[0].name;
      const i = Math.floor(Math.random() * m);
      let j = Math.floor(Math.random() * (m - 1));
      if (j >= i) j++;
      const a = candidates[i];
      const b = candidates[j];
      return a.attributes.load <= b.attributes.load ? a.name : b.name;
    };

    const variants = {
      updates: { decide: () => placement.chooseNode(SPEC), reports: true },
      compiled: { decide: () => placement.chooseNode(query), reports: true },
      static: { decide: () => placement.chooseNode(SPEC), reports: false },
      naive: { decide: naive, reports: true },
      inline: { decide: () => placement.chooseNode({ where: { tier: 'web', memFree: { ge: 512 } }, near: { within: 'region' }, strategy: 'least_loaded' }), reports: true },
    };
    const totals = Object.fromEntries(Object.keys(variants).map((k) => [k, { decisions: 0, seconds: 0, reports: 0 }]));

    /** Decide in a tight loop for `blockMs`, applying the reports due at REPORT_RATE when asked. */
    const run = ({ decide, reports }, blockMs) => {
      let decisions = 0;
      let applied = 0;
      let last;
      const t0 = performance.now();
      const end = t0 + blockMs;
      let now = t0;
      while (now < end) {
        for (let k = 0; k < CHECK_EVERY; k++) last = decide();
        decisions += CHECK_EVERY;
        now = performance.now();
        if (reports) {
          const due = Math.floor(((now - t0) * REPORT_RATE) / 1000);
          for (; applied < due; applied++) reportNext();
        }
      }
      return { decisions, seconds: (now - t0) / 1000, reports: applied, last };
    };

    /** The engine's eligible set must be what the filters give over every entry. */
    const check = (where, last) => {
      const ctx = query.context();
      const engine = new Set(query.refresh(ctx).map((e) => e.name));
      const full = new Set();
      for (const e of view.all()) if (passes(e, ctx)) full.add(e.name);
      if (engine.size !== full.size || [...full].some((x) => !engine.has(x))) {
        throw new Error(`${where}: the incremental eligible set (${engine.size}) differs from a full scan (${full.size})`);
      }
      if (!full.has(last)) throw new Error(`${where}: chose ${last}, which the filters exclude`);
      return full.size;
    };

    const warmupMs = Math.min(300, ms / 4);
    for (const [name, v] of Object.entries(variants)) check(`warm-up ${name}`, run(v, warmupMs).last);
    const eligible = [];
    for (let b = 0; b < BLOCKS; b++) {
      for (const [name, v] of Object.entries(variants)) {
        await yieldTurn(); // timers (the node's own refresh) run between blocks, never inside one
        const r = run(v, ms / BLOCKS);
        const t = totals[name];
        t.decisions += r.decisions;
        t.seconds += r.seconds;
        t.reports += r.reports;
        eligible.push(check(`${name} block ${b + 1}`, r.last));
      }
    }

    const rate = (name) => totals[name].decisions / totals[name].seconds;
    const extra = (name) => ({
      n: totals[name].decisions,
      nodes: NODES,
      reportsPerSecond: Math.round(totals[name].reports / totals[name].seconds),
      eligible: [Math.min(...eligible), Math.max(...eligible)],
    });
    process.stderr.write(`eligible nodes per check: ${Math.min(...eligible)}..${Math.max(...eligible)} of ${NODES}\n`);
    for (const name of Object.keys(variants)) {
      process.stderr.write(`${name}: ${Math.round(rate(name))} decisions/s, ${totals[name].reports} reports in ${totals[name].seconds.toFixed(2)} s\n`);
    }
    emit('placement.choose.n1000', rate('updates'), 'decisions/s', { ...extra('updates'), vsStatic: rate('updates') / rate('static'), vsNaive: rate('updates') / rate('naive') });
    emit('placement.choose.n1000.compiled', rate('compiled'), 'decisions/s', extra('compiled'));
    emit('placement.choose.n1000.static', rate('static'), 'decisions/s', extra('static'));
    emit('placement.choose.n1000.naive', rate('naive'), 'decisions/s', extra('naive'));
    emit('placement.choose.n1000.inline', rate('inline'), 'decisions/s', extra('inline'));
  } finally {
    await stopNode(node);
  }
});
