// The Orbit workload (RELEASE's Orbit and SD-Orbit), as a user module every node of the scale
// benchmark loads. The vertex table of the orbit is spread over worker processes, vertex x held by
// worker ownerOf(x) (lib/orbit-graph.mjs). A worker that gets a batch of vertices keeps the new
// ones, applies the generators to each, and sends the images, one batch per destination worker.
//
// - free nodes (full mesh): a worker sends each batch straight to the destination worker;
// - s_groups (SD-Orbit): a batch for a worker of the same group goes straight to it; any other goes
//   to the group's router on its sub-master, which hands it to the destination group's router
//   (sub-masters share the `masters` group), which hands it to the worker. No worker connects
//   outside its group.
//
// Every node counts the batches it sent and handled. The driver (orbit-point.mjs) reads the counts
// of all nodes in waves; when two consecutive waves read the same totals and sent == handled, no
// batch is in flight and no worker is busy: the orbit is complete (Mattern's four-counter method).
//
// rpc functions: orbit.spawn({workers, router}) -> {workers: [pid], router: pid | null},
// orbit.init(config), orbit.seed(x), orbit.counters() -> {sent, handled, vertices, items}, orbit.reset().
import { defineProcess } from '@sdnode/core';
import { generators, ownerOf } from './lib/orbit-graph.mjs';

/** One node's share of the benchmark: its routing table and counters (one per node, made in setup). */
class OrbitNode {
  constructor(node) {
    this.node = node;
    this.workers = [];
    this.router = null;
    this.reset();
  }

  reset() {
    this.config = null;
    this.sent = 0;
    this.handled = 0;
    this.items = 0;
    this.tables = new Set();
  }

  /** config: { space, workers: [pid], groupOfWorker: [int], routers: [pid] | null, group: int | null } */
  init(config) {
    this.config = { ...config, gens: generators(config.space), total: config.workers.length };
    return true;
  }

  /** Send a worker's output: each batch straight to its worker, or those for other groups in one message to the group's router. */
  emit(ctx, out) {
    const c = this.config;
    let foreign = null;
    for (const [w, xs] of out) {
      if (c.routers === null || c.groupOfWorker[w] === c.group) {
        this.sent++;
        ctx.send(c.workers[w], { t: 'v', xs });
      } else (foreign ??= []).push([w, xs]);
    }
    if (foreign !== null) {
      this.sent++;
      ctx.send(c.routers[c.group], { t: 'r', b: foreign });
    }
  }

  counters() {
    let vertices = 0;
    for (const table of this.tables) vertices += table.size;
    return { sent: this.sent, handled: this.handled, vertices, items: this.items };
  }
}

export const Worker = defineProcess('orbit.worker', {
  init: (_ctx, orbit) => {
    const table = new Set();
    orbit.tables.add(table);
    return { orbit, table };
  },
  handle: (ctx, msg, state) => {
    const { orbit, table } = state;
    if (msg?.t !== 'v' || orbit.config === null) return state;
    orbit.handled++;
    orbit.items += msg.xs.length;
    const { gens, total } = orbit.config;
    const out = new Map();
    for (const x of msg.xs) {
      if (table.has(x)) continue;
      table.add(x);
      for (const g of gens) {
        const y = g(x);
        const w = ownerOf(y, total);
        const batch = out.get(w);
        if (batch === undefined) out.set(w, [y]);
        else batch.push(y);
      }
    }
    orbit.emit(ctx, out);
    return state;
  },
});

/**
 * A sub-master's router: gathers what its group's workers send to other groups and what other
 * routers send to its group, and hands it on in one message per destination (router or worker)
 * once it has handled every message already in its mailbox (a `flush` to itself queues behind
 * them). The flush is counted like any batch, so the four-counter check never sees a router's
 * buffered vertices as done.
 */
export const Router = defineProcess('orbit.router', {
  init: (_ctx, orbit) => ({ orbit, groups: new Map(), workers: new Map(), flushing: false }),
  handle: (ctx, msg, state) => {
    const { orbit } = state;
    const c = orbit.config;
    if (c === null) return state;
    if (msg?.t === 'r') {
      orbit.handled++;
      for (const [w, xs] of msg.b) {
        const group = c.groupOfWorker[w];
        if (group === c.group) {
          const batch = state.workers.get(w);
          if (batch === undefined) state.workers.set(w, xs);
          else for (const x of xs) batch.push(x);
        } else {
          const batches = state.groups.get(group);
          if (batches === undefined) state.groups.set(group, [[w, xs]]);
          else batches.push([w, xs]);
        }
      }
      if (!state.flushing) {
        state.flushing = true;
        orbit.sent++;
        ctx.send(ctx.self, { t: 'flush' });
      }
    } else if (msg?.t === 'flush') {
      orbit.handled++;
      state.flushing = false;
      for (const [group, b] of state.groups) {
        orbit.sent++;
        ctx.send(c.routers[group], { t: 'r', b });
      }
      for (const [w, xs] of state.workers) {
        orbit.sent++;
        ctx.send(c.workers[w], { t: 'v', xs });
      }
      state.groups = new Map();
      state.workers = new Map();
    }
    return state;
  },
});

export const types = [Worker, Router];

export function setup({ node }) {
  const orbit = new OrbitNode(node);
  node.registerFunction('orbit.spawn', ({ workers, router }) => {
    for (let i = 0; i < workers; i++) orbit.workers.push(node.spawn(Worker, orbit));
    if (router && orbit.router === null) orbit.router = node.spawn(Router, orbit);
    return { workers: orbit.workers, router: orbit.router };
  });
  node.registerFunction('orbit.init', (config) => orbit.init(config));
  node.registerFunction('orbit.seed', (x) => {
    const c = orbit.config;
    orbit.sent++;
    node.send(c.workers[ownerOf(x, c.total)], { t: 'v', xs: [x] });
    return true;
  });
  node.registerFunction('orbit.counters', () => orbit.counters());
}
