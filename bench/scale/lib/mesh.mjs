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
