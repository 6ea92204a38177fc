// Waiting for a scale benchmark's planned mesh: each node connected to its targets (every other
// node for free nodes, the members of its own groups for s_group nodes), as the nodes' own
// nodeup/nodedown events tell the harness.

/** Connections of the planned mesh (each node to its targets) that the nodes' events do not show among `started`. */
export function missingConnections(cluster, plan, started) {
  const up = new Set(started);
  let missing = 0;
  for (const name of started) {
    const have = new Set(cluster.node(name).connected());
    for (const t of plan.get(name).targets) if (up.has(t) && !have.has(t)) missing++;
  }
  return missing;
}

/** Wait until the started nodes form their planned mesh, or stop getting closer to it for 8 s, or the deadline; resolves with what is missing. */
export async function meshOrStall(cluster, plan, started, deadline) {
  let best = Infinity;
  let since = performance.now();
  for (;;) {
    const missing = missingConnections(cluster, plan, started);
    if (missing === 0) return 0;
    const now = performance.now();
    if (missing < best) {
      best = missing;
      since = now;
    }
    if (now - since > 8_000 || now > deadline) {
      process.stderr.write(`mesh of ${started.length} nodes: ${missing} connections missing, not getting closer: going on (operations connect on demand)\n`);
      return missing;
    }
    await new Promise((r) => setTimeout(r, Math.max(100, 2 * started.length)));
  }
}

/**
 * Ask the nodes to connect the pairs of the planned mesh that are still missing among `names`
 * (`sdnode.harness.connect`, each pair once, from its first node, `parallel` at a time), in rounds
 * until none is missing, a round connects nothing more, `rounds` have run or `within` ms have
 * passed (no new request after that): what an operator's `net_adm:ping` does. Resolves with
 * `{ asked, failed, missing }` (`missing`: what is left).
 */
export async function connectMissing(cluster, plan, names, { parallel = 16, timeout = 10_000, rounds = 3, within = 60_000 } = {}) {
  const deadline = performance.now() + within;
  let asked = 0;
  let failed = 0;
  let missing = missingConnections(cluster, plan, names);
  for (let round = 0; round < rounds && missing > 0 && performance.now() < deadline; round++) {
    const pairs = new Map();
    for (const a of names) {
      const have = new Set(cluster.node(a).connected());
      for (const b of plan.get(a).targets) if (!have.has(b) && !pairs.has(`${b} ${a}`)) pairs.set(`${a} ${b}`, [a, b]);
    }
    const queue = [...pairs.values()];
    const worker = async () => {
      for (let pair = queue.shift(); pair !== undefined && performance.now() < deadline; pair = queue.shift()) {
        const [a, b] = pair;
        asked++;
        await cluster.rpc(a, 'sdnode.harness.connect', [b, cluster.node(b).address, timeout], { timeout: timeout + 5_000 }).catch(() => failed++);
      }
    };
    await Promise.all(Array.from({ length: parallel }, worker));
    await new Promise((r) => setTimeout(r, 1_000)); // the nodes' nodeup events reach the harness a little later
    const left = missingConnections(cluster, plan, names);
    process.stderr.write(`connect round ${round + 1}: asked ${pairs.size} pairs, ${left} connections still missing\n`);
    if (left >= missing) {
      missing = left;
      break;
    }
    missing = left;
  }
  return { asked, failed, missing };
}
