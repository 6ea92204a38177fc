// The graph of the Orbit benchmark (RELEASE project; Lundin et al., "Orbit"): the orbit of a start
// vertex under a few generator functions on the integers modulo `space`, i.e. every vertex
// reachable from it. The distributed version spreads the vertex table over worker processes by a
// hash of the vertex; the sequential one here is the reference every run is checked against.

/** The generators: cheap, deterministic, and together they reach almost every vertex of the space. */
export function generators(space) {
  if (!Number.isSafeInteger(space) || space < 2 || space > 90_000_000) throw new Error(`orbit space: 2..90,000,000, not ${space}`);
  return [(x) => (x * 7 + 3) % space, (x) => (x * x + 11) % space, (x) => (Math.floor(x / 3) + 17) % space];
}

/** The worker (0..workers-1) that holds vertex x: a multiplicative hash, so neighbours spread. */
export function ownerOf(x, workers) {
  return (Math.imul(x, 2654435761) >>> 0) % workers;
}

/** The orbit's size, computed in one process (the reference). */
export function sequentialOrbitSize(space, start) {
  const gens = generators(space);
  const seen = new Set([start]);
  const stack = [start];
  while (stack.length > 0) {
    const x = stack.pop();
    for (const g of gens) {
      const y = g(x);
      if (!seen.has(y)) {
        seen.add(y);
        stack.push(y);
      }
    }
  }
  return seen.size;
}
