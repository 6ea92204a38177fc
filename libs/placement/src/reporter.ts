import { performance } from 'node:perf_hooks';
import type { Node } from '@sdnode/core';
import type { PeerInfo } from '@sdnode/transport';
import type { Attributes, LocalAttributes } from './attributes.js';
import type { ClusterView } from './cluster-view.js';
import type { Location } from './distance.js';
import { reportMoved } from './report-change.js';
import { PLACEMENT_CHANNEL, attrsMessage, parsePlacementMessage, pingMessage, pongMessage } from './placement-protocol.js';

export interface ReporterOptions {
  /** How often the built-ins are sampled, and the report sent to the scope if it moved (ms). */
  readonly refreshInterval: number;
  /** How often visible peers' round trips are probed, which also tells that they are still heard of (ms). */
  readonly probeInterval: number;
  /**
   * At most this many peers are probed per interval: in a larger scope the probes go round, so
   * each peer is probed every ceil(scope / maxProbes) intervals and a node's probe traffic stays
   * bounded however large its scope (a free full mesh).
   */
  readonly maxProbes: number;
  /** Weight of a new round-trip sample in the smoothed value (0..1]. */
  readonly rttGain: number;
}

/**
 * Spreads this node's attributes to the nodes of its visibility scope and keeps the view of
 * theirs (docs/protocols/placement.md, version 2). Per peer P:
 *
 * | event | action |
 * | --- | --- |
 * | P becomes visible (nodeup, or seen visible at a refresh) | send ATTRS to P; PING P |
 * | own attributes changed (setAttribute) | ATTRS to every visible peer, once per turn |
 * | refresh timer | sample built-ins; if the report moved since the last one sent (reportMoved), ATTRS to every visible peer; drop entries of nodes no longer visible |
 * | probe timer | PING the next maxProbes visible peers, round the scope (all of them in a scope of up to maxProbes) |
 * | ATTRS from a visible P, seq newer | the view's entry of P := the report, heard of now |
 * | PING from P | PONG to P with the same id and time |
 * | PONG from P | P heard of now; for the outstanding probe, rtt(P) := smoothed(rtt(P), now - t) |
 * | nodedown P | remove P's entry at once |
 *
 * A report is not re-sent while it stays within its tolerances: messages on a connection arrive in
 * order, so a PONG from P, sent after P's last sample, tells that P's last report still holds.
 */
export class Reporter {
  private readonly visible = new Set<string>();
  private readonly seqs = new Map<string, number>();
  private readonly probes = new Map<string, number>();
  private seq = 0;
  private probeId = 0;
  /** The peers still to probe in this round of the scope. */
  private probeRound: string[] = [];
  /** The last report sent to the whole scope (undefined: none yet). */
  private lastSent: Attributes | undefined;
  private flushQueued = false;
  private refreshTimer: NodeJS.Timeout | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  dropped = 0;
  sent = 0;
  probesSent = 0;

  constructor(
    private readonly node: Node,
    private readonly view: ClusterView,
    private readonly local: LocalAttributes,
    private readonly location: Location,
    private readonly options: ReporterOptions,
  ) {}

  start(): void {
    this.view.report(this.node.name, this.local.snapshot(), this.location, performance.now());
    this.node.control.on(PLACEMENT_CHANNEL, (from, body) => this.onMessage(from, body));
    this.node.on('nodeup', this.onNodeUp);
    this.node.on('nodedown', this.onNodeDown);
    this.refreshTimer = setInterval(() => this.refresh(), this.options.refreshInterval);
    this.refreshTimer.unref();
    this.probeTimer = setInterval(() => this.probeAll(), this.options.probeInterval);
    this.probeTimer.unref();
    this.refresh();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.refreshTimer);
    clearInterval(this.probeTimer);
    this.node.off('nodeup', this.onNodeUp);
    this.node.off('nodedown', this.onNodeDown);
  }

  /** Own attributes changed: every visible peer hears of it before the next refresh (once per turn). */
  changed(): void {
    this.view.report(this.node.name, this.local.snapshot(), this.location, performance.now());
    if (this.flushQueued || this.stopped) return;
    this.flushQueued = true;
    setImmediate(() => {
      this.flushQueued = false;
      if (!this.stopped) this.sendAll();
    });
  }

  private readonly onNodeUp = (name: string): void => {
    if (this.stopped || !this.node.nodes().includes(name)) return;
    this.visible.add(name);
    this.sendTo(name);
    this.probe(name);
  };

  private readonly onNodeDown = (name: string): void => {
    this.visible.delete(name);
    this.seqs.delete(name);
    this.probes.delete(name);
    this.view.remove(name);
  };

  /** Sample, report to every visible peer, forget nodes that left the visibility scope. */
  refresh(): void {
    if (this.stopped) return;
    this.local.sample();
    this.view.report(this.node.name, this.local.snapshot(), this.location, performance.now());
    const now = new Set(this.node.nodes());
    for (const n of this.visible) {
      if (!now.has(n)) {
        this.visible.delete(n);
        this.seqs.delete(n);
        this.view.remove(n);
      }
    }
    for (const n of now) {
      if (!this.visible.has(n)) {
        this.visible.add(n);
        this.probe(n);
      }
    }
    const report = this.local.snapshot();
    if (this.lastSent === undefined || reportMoved(this.lastSent, report, this.local.sampled())) this.sendAll();
  }

  private sendAll(): void {
    const report = this.local.snapshot();
    this.lastSent = report;
    const msg = attrsMessage(++this.seq, report, this.location);
    for (const peer of this.visible) if (this.node.control.send(peer, PLACEMENT_CHANNEL, msg)) this.sent++;
  }

  private sendTo(peer: string): void {
    if (this.node.control.send(peer, PLACEMENT_CHANNEL, attrsMessage(++this.seq, this.local.snapshot(), this.location))) this.sent++;
  }

  private probeAll(): void {
    if (this.stopped) return;
    let left = this.options.maxProbes;
    while (left > 0) {
      if (this.probeRound.length === 0) {
        if (this.visible.size === 0) return;
        this.probeRound = [...this.visible].reverse();
      }
      const peer = this.probeRound.pop()!;
      if (!this.visible.has(peer)) continue;
      this.probe(peer);
      left--;
      if (this.probeRound.length === 0 && this.visible.size <= this.options.maxProbes) return;
    }
  }

  private probe(peer: string): void {
    const id = ++this.probeId;
    this.probes.set(peer, id);
    if (this.node.control.send(peer, PLACEMENT_CHANNEL, pingMessage(id, performance.now()))) this.probesSent++;
  }

  private onMessage(from: PeerInfo, body: unknown): void {
    if (this.stopped) return;
    const msg = parsePlacementMessage(body);
    if (typeof msg === 'string') {
      this.dropped++;
      this.node.logger.debug?.({ from: from.name, reason: msg }, 'placement message dropped');
      return;
    }
    switch (msg.kind) {
      case 'ping':
        this.node.control.send(from.name, PLACEMENT_CHANNEL, pongMessage(msg.id, msg.t));
        return;
      case 'pong': {
        this.view.heard(from.name, performance.now());
        if (this.probes.get(from.name) !== msg.id) return;
        this.probes.delete(from.name);
        const sample = performance.now() - msg.t;
        if (!(sample >= 0)) return;
        const prev = this.view.get(from.name)?.rtt;
        const rtt = prev === undefined ? sample : prev + this.options.rttGain * (sample - prev);
        this.view.setRtt(from.name, Math.round(rtt * 1000) / 1000);
        return;
      }
      case 'attrs': {
        if (!this.visible.has(from.name)) {
          // A report can overtake this node's own nodeup handling: check visibility now.
          if (!this.node.nodes().includes(from.name)) return;
          this.visible.add(from.name);
        }
        const last = this.seqs.get(from.name) ?? -1;
        if (msg.seq <= last) return;
        this.seqs.set(from.name, msg.seq);
        this.view.report(from.name, msg.attributes, msg.location, performance.now());
        return;
      }
    }
  }
}
