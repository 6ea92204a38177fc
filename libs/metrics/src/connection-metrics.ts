import type { Node, NodeEventInfo, NodeInfo } from '@sdnode/core';
import type { TransportStats } from '@sdnode/transport';
import type { ScrapeMemo, Series, SnapshotMetrics } from './snapshot-metrics.js';

/** How this node is connected to a peer, as `sdnode info` shows it. */
export type ConnectionKind = 'visible' | 'point_to_point' | 'hidden';

export const CONNECTION_KINDS: readonly ConnectionKind[] = ['visible', 'point_to_point', 'hidden'];

/**
 * Every connected peer and its kind: visible (what the connection policy calls visible, the
 * members of this node's s_groups or the free mesh), point to point (a connection to a visible
 * node the policy does not list: a seed, an rpc target outside the groups), hidden (tools, the CLI).
 */
export function connectionsByKind(node: Node): Map<string, ConnectionKind> {
  const out = new Map<string, ConnectionKind>();
  for (const name of node.nodes()) out.set(name, 'visible');
  for (const name of node.nodes({ all: true })) if (!out.has(name)) out.set(name, 'point_to_point');
  for (const name of node.nodes({ all: true, hidden: true })) if (!out.has(name)) out.set(name, 'hidden');
  return out;
}

/**
 * Connections, traffic and node events: connections by kind and per peer, the outbound queue
 * towards each peer, the transport's frame, byte and batch totals (for the node as a whole: the
 * transport counts no traffic per peer), and nodeup/nodedown counts. Returns the function that
 * removes the node event listeners.
 */
export function registerConnectionMetrics(node: Node, metrics: SnapshotMetrics, memo: ScrapeMemo, prefix: string): () => void {
  const peers = (): Map<string, ConnectionKind> => memo.get('connections', () => connectionsByKind(node));
  const transport = (): TransportStats | null => memo.get<NodeInfo>('node.info', () => node.info()).stats.transport;
  const inOut = (read: (t: TransportStats) => readonly [number, number]) => (): Series[] => {
    const t = transport();
    if (t === null) return [];
    const [received, sent] = read(t);
    return [
      [{ direction: 'in' }, received],
      [{ direction: 'out' }, sent],
    ];
  };
  const total = (read: (t: TransportStats) => number) => (): number => {
    const t = transport();
    return t === null ? 0 : read(t);
  };

  metrics.gauge({
    name: `${prefix}connections`,
    help: 'Connected nodes by kind: visible (the policy\'s: own s_groups or the free mesh), point_to_point (other visible nodes), hidden',
    labelNames: ['kind'],
    read: () => {
      const counts = new Map<ConnectionKind, number>(CONNECTION_KINDS.map((k) => [k, 0]));
      for (const kind of peers().values()) counts.set(kind, counts.get(kind)! + 1);
      return [...counts].map(([kind, n]): Series => [{ kind }, n]);
    },
  });
  metrics.gauge({
    name: `${prefix}peer_up`,
    help: 'One series per connected peer (value 1), labelled with how it is connected',
    labelNames: ['peer', 'kind'],
    read: () => [...peers()].map(([peer, kind]): Series => [{ peer, kind }, 1]),
  });
  metrics.gauge({
    name: `${prefix}peer_queued_bytes`,
    help: 'Bytes queued towards a connected peer and not yet handed to the socket (the bounded outbound queue)',
    labelNames: ['peer'],
    read: () => [...peers().keys()].map((peer): Series => [{ peer }, node.queuedBytes(peer)]),
  });
  metrics.counter({
    name: `${prefix}transport_frames_total`,
    help: 'Distribution frames received (in) and sent (out) by the node\'s transport, all peers',
    labelNames: ['direction'],
    read: inOut((t) => [t.framesReceived, t.framesSent]),
  });
  metrics.counter({
    name: `${prefix}transport_bytes_total`,
    help: 'Bytes received (in) and sent (out) by the node\'s transport, all peers',
    labelNames: ['direction'],
    read: inOut((t) => [t.bytesReceived, t.bytesSent]),
  });
  metrics.counter({
    name: `${prefix}transport_batches_total`,
    help: 'Batches (one carrier message carrying many frames) received (in) and sent (out)',
    labelNames: ['direction'],
    read: inOut((t) => [t.batchesReceived, t.batchesSent]),
  });
  metrics.counter({
    name: `${prefix}transport_bad_frames_total`,
    help: 'Frames or batches dropped as malformed, oversized, out of state or from unknown senders',
    read: total((t) => t.badFrames),
  });
  metrics.counter({
    name: `${prefix}transport_handshakes_refused_total`,
    help: 'Handshakes refused (wrong cookie, version, policy)',
    read: total((t) => t.handshakesRefused),
  });
  metrics.counter({
    name: `${prefix}transport_frames_dropped_total`,
    help: 'Frames dropped because their destination was not connected and could not be reached',
    read: total((t) => t.framesDropped),
  });
  metrics.counter({
    name: `${prefix}transport_overloads_total`,
    help: 'Connections dropped because their outbound queue exceeded its bound',
    read: total((t) => t.overloads),
  });
  metrics.counter({
    name: `${prefix}dist_dropped_frames_total`,
    help: 'Incoming distribution frames dropped by the runtime as malformed, forged or without a handler',
    read: () => memo.get<NodeInfo>('node.info', () => node.info()).stats.droppedFrames,
  });

  const nodeup = metrics.eventCounter({ name: `${prefix}nodeup_total`, help: 'Connections that came up (nodeup), by whether the peer is hidden', labelNames: ['hidden'] });
  const nodedown = metrics.eventCounter({
    name: `${prefix}nodedown_total`,
    help: 'Connections that went down (nodedown), by whether the peer is hidden and why (closed, peer_closed, tick_timeout, overload, replaced, protocol_error)',
    labelNames: ['hidden', 'reason'],
  });
  // Both series exist from the start, so that a rate over them is defined before the first event.
  for (const hidden of ['false', 'true']) nodeup.inc({ hidden }, 0);
  const onUp = (_peer: string, info: NodeEventInfo): void => nodeup.inc({ hidden: String(info.hidden) });
  const onDown = (_peer: string, info: NodeEventInfo): void => nodedown.inc({ hidden: String(info.hidden), reason: info.reason ?? 'unknown' });
  node.on('nodeup', onUp);
  node.on('nodedown', onDown);
  return () => {
    node.off('nodeup', onUp);
    node.off('nodedown', onDown);
  };
}
