// Node side of the scale benchmark's workloads (user modules every node loads): a snapshot of the
// frames this node has received so far, and waiting for a moment of the window.

const FRAMES_FN = 'sdnode.harness.frames'; // MultiFunctions.frames of @sdnode/harness

/**
 * The node's transport totals (frames and bytes received and sent) and, on a harness multi-mode
 * node, the frames received by kind and by control channel (`sdnode.harness.frames`).
 */
export async function frames(node) {
  const info = node.info().stats.transport ?? {};
  let counts = { byKind: {}, byChannel: {} };
  try {
    counts = await node.rpc(node.name, FRAMES_FN, [], { timeout: 5_000 });
  } catch {
    // not a harness multi-mode node: totals only
  }
  return {
    framesReceived: info.framesReceived ?? 0,
    framesSent: info.framesSent ?? 0,
    bytesReceived: info.bytesReceived ?? 0,
    bytesSent: info.bytesSent ?? 0,
    byKind: counts.byKind,
    byChannel: counts.byChannel,
  };
}

/** Resolves at `time` (Date.now(): every node of the benchmark runs on this machine, one clock). */
export function at(time) {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, time - Date.now())));
}

/** Snapshots at `startAt` and `endAt`: resolves with `{ before, after }` once the window ends. */
export async function windowFrames(node, startAt, endAt) {
  await at(startAt);
  const before = await frames(node);
  await at(endAt);
  const after = await frames(node);
  return { before, after };
}
