import {
  AbortedError,
  ExitReasons,
  errorLogFields,
  NoConnectionError,
  NodeStoppedError,
  NotSendableError,
  TimeoutError,
  formatExitReason,
  isValidNodeName,
  Pid,
  type DistFrame,
  type ExitReason,
  type NodeAddress,
  type Ref,
  type Term,
} from '@sdnode/wire';
import type { Transport, PeerInfo, DisconnectReason, ConnectOptions } from '@sdnode/transport';
import type { Kernel } from './kernel.js';
import type { MonitorIn, MonitorOut, Proc } from './process.js';
import { F_EXITED } from './process-flags.js';
import type { RemoteOps } from './remote-ops.js';
import type { RemoteSpawnOptions } from './process-context.js';
import type { NameAtNode } from './signals.js';
import type { ConnectionPolicy, PolicyHost } from './connection-policy.js';
import type { CoreLogger } from './logger.js';
import { PerNodeIndex } from './per-node-index.js';
import { FrameHandlers } from './frame-handlers.js';
import { CallMonitors } from './call-monitor.js';

export const DEFAULT_SPAWN_TIMEOUT = 5000;

/** A link between a local process and a process on another node. */
export interface RemoteLink {
  readonly p: Proc;
  readonly remote: Pid;
}

/** A monitor held by a local process on a remote target. */
export interface RemoteMonitor {
  readonly p: Proc;
  readonly entry: MonitorOut;
}

/** A monitor a remote process holds on the local process `q`. */
export interface RemoteWatcher {
  readonly q: Proc;
  readonly ref: Ref;
}

/** A spawn request waiting for its SPAWN_REPLY. */
export interface PendingSpawn {
  readonly ref: Ref;
  readonly node: string;
  readonly parent: Proc | null;
  readonly link: boolean;
  /** The parent monitors the child, with `ref` as the monitor ref (set up by the spawning node). */
  readonly monitor: boolean;
  readonly resolve: (pid: Pid) => void;
  readonly reject: (e: unknown) => void;
  /** The requester gave up (timeout/abort) but asked for a link or monitor: the child's node must be told. */
  abandoned: boolean;
  cleanup: (() => void) | null;
}

export type ControlHandler = (from: PeerInfo, body: unknown) => void;

export function linkKey(local: Pid, remote: Pid): string {
  return `${local.id}|${remote.key}`;
}

/**
 * Distribution glue: turns operations on remote processes into frames (this file) and frames
 * into local effects (FrameHandlers), keeping per-node indexes of links, monitors and spawns so a
 * nodedown costs O(affected). See docs/protocols/distribution.md.
 */
export class Distribution implements RemoteOps {
  onNodeEvent: (event: 'nodeup' | 'nodedown', peer: PeerInfo, reason: string | undefined) => void = () => undefined;
  readonly links = new PerNodeIndex<RemoteLink>();
  readonly outMonitors = new PerNodeIndex<RemoteMonitor>();
  /** Monitors of calls in flight, kept in their callers' slots (call-monitor.ts). */
  readonly callMonitors = new CallMonitors((node, frame) => this.sendFrame(node, frame));
  /** Monitors remote processes hold on local ones (by the watcher's node). */
  readonly inMonitors = new PerNodeIndex<RemoteWatcher>();
  readonly spawns = new PerNodeIndex<PendingSpawn>();
  readonly controls = new Map<string, ControlHandler>();
  private readonly handlers: FrameHandlers;
  private readonly host: PolicyHost;
  private stopping = false;
  private readonly onFrame = (peer: PeerInfo, frame: DistFrame): void => this.handlers.handle(peer, frame);
  private readonly onUp = (peer: PeerInfo): void => this.nodeUp(peer);
  private readonly onDown = (peer: PeerInfo, reason: DisconnectReason): void => this.nodeDown(peer, reason);
  private readonly onConnectFailed = (name: string, error: Error): void => this.connectFailed(name, error);

  constructor(
    readonly k: Kernel,
    readonly transport: Transport,
    readonly policy: ConnectionPolicy,
    readonly logger: CoreLogger,
  ) {
    this.handlers = new FrameHandlers(this);
    this.host = {
      name: k.name,
      hidden: transport.hidden,
      logger,
      peers: () => transport.peers(),
      connect: (name, address) => this.connectInBackground(name, address),
      disconnect: (name) => transport.disconnect(name),
      learnAddress: (name, address) => this.learnAddress(name, address),
      sendNodes: (to, nodes: readonly NodeAddress[]) => this.sendFrame(to, { kind: 'nodes', nodes }),
      sendControl: (to, channel, body) => this.sendControl(to, channel, body),
      onControl: (channel, handler) => this.onControl(channel, handler),
    };
  }

  /** Incoming frames dropped as malformed, forged or without a handler. */
  get droppedFrames(): number {
    return this.handlers.dropped;
  }

  start(): void {
    this.transport.on('frame', this.onFrame);
    this.transport.on('nodeup', this.onUp);
    this.transport.on('nodedown', this.onDown);
    this.transport.on('connectfailed', this.onConnectFailed);
    this.policy.start(this.host);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.policy.stop();
    await this.transport.close();
    this.transport.off('frame', this.onFrame);
    this.transport.off('nodeup', this.onUp);
    this.transport.off('nodedown', this.onDown);
    this.transport.off('connectfailed', this.onConnectFailed);
  }

  connect(name: string, options: ConnectOptions): Promise<PeerInfo> {
    return this.transport.connect(name, options);
  }

  connectInBackground(name: string, address?: string): void {
    if (this.stopping || name === this.k.name || this.transport.peer(name) !== undefined) return;
    this.transport.connect(name, address !== undefined ? { address } : {}).catch((e: unknown) => {
      // The transport's connectfailed event (connectFailed below) logs it and tells the policy.
      this.logger.debug({ ...errorLogFields(e as Error), peer: name }, 'background connect failed');
    });
  }

  /**
   * Tell the transport where `name` listens (PolicyHost.learnAddress): a frame sent to `name`
   * while it is not up then dials it there. Invalid input, this node's name and a transport that
   * cannot learn addresses are ignored.
   */
  learnAddress(name: string, address: string): void {
    if (this.stopping || name === this.k.name || !isValidNodeName(name) || typeof address !== 'string' || address.length === 0) return;
    this.transport.learnAddress?.(name, address);
  }

  onControl(channel: string, handler: ControlHandler): void {
    this.controls.set(channel, handler);
  }

  sendControl(to: string, channel: string, body: unknown): boolean {
    return this.sendFrame(to, { kind: 'control', channel, body: body as Term });
  }

  /** Queue a frame; false when the node cannot be reached (policy, no address, stopped). */
  sendFrame(node: string, frame: DistFrame): boolean {
    if (this.stopping) return false;
    const policy = this.policy;
    if (policy.mayAutoConnect !== undefined && this.transport.peer(node) === undefined && !policy.mayAutoConnect(node)) return false;
    return this.transport.send(node, frame);
  }

  /** Frames carrying an exit reason: a reason that cannot be encoded is sent as its printed form. */
  private sendWithReason(node: string, make: (reason: ExitReason) => DistFrame, reason: ExitReason): boolean {
    try {
      return this.sendFrame(node, make(reason));
    } catch (e) {
      if (!(e instanceof NotSendableError)) throw e;
      return this.sendFrame(node, make(ExitReasons.other(formatExitReason(reason))));
    }
  }

  // ---- RemoteOps ----

  send(to: Pid, msg: unknown, _from: Pid): void {
    this.sendFrame(to.node, { kind: 'send', to, msg: msg as Term });
  }

  regSend(node: string, name: string, msg: unknown, from: Pid): void {
    this.sendFrame(node, { kind: 'reg_send', from, name, msg: msg as Term });
  }

  link(p: Proc, to: Pid): void {
    if (this.sendFrame(to.node, { kind: 'link', from: p.self, to })) {
      this.links.add(to.node, linkKey(p.self, to), { p, remote: to });
      return;
    }
    p.links?.delete(to.key);
    this.k.signal(p, to, ExitReasons.noconnection, true);
  }

  unlink(p: Proc, to: Pid): void {
    this.links.remove(to.node, linkKey(p.self, to));
    this.sendFrame(to.node, { kind: 'unlink', from: p.self, to });
  }

  linkExit(from: Pid, to: Pid, reason: ExitReason): void {
    this.links.remove(to.node, linkKey(from, to));
    this.sendWithReason(to.node, (r) => ({ kind: 'exit', from, to, reason: r }), reason);
  }

  exit2(from: Pid, to: Pid, reason: ExitReason): void {
    this.sendWithReason(to.node, (r) => ({ kind: 'exit2', from, to, reason: r }), reason);
  }

  monitor(p: Proc, ref: Ref, node: string, to: Pid | string, target: Pid | NameAtNode): MonitorOut | null {
    if (!this.sendFrame(node, { kind: 'monitor', from: p.self, to, ref })) {
      p.deliver({ signal: 'DOWN', ref, target, reason: ExitReasons.noconnection });
      return null;
    }
    const entry: MonitorOut = { ref, target, local: null, remoteNode: node };
    this.outMonitors.add(node, ref.key, { p, entry });
    return entry;
  }

  demonitor(p: Proc, entry: MonitorOut): void {
    const node = entry.remoteNode!;
    if (this.outMonitors.remove(node, entry.ref.key) === undefined) return;
    const to = entry.target instanceof Pid ? entry.target : entry.target.name;
    this.sendFrame(node, { kind: 'demonitor', from: p.self, to, ref: entry.ref });
  }

  callMonitor(p: Proc, ref: Ref, to: Pid): void {
    this.callMonitors.monitor(p, ref, to);
  }

  callDemonitor(p: Proc): void {
    this.callMonitors.demonitor(p);
  }

  down(target: Proc, entry: MonitorIn, reason: ExitReason): void {
    const node = entry.watcher.node;
    this.inMonitors.remove(node, entry.ref.key);
    const from = entry.target instanceof Pid ? target.self : entry.target.name;
    this.sendWithReason(node, (r) => ({ kind: 'monitor_down', from, to: entry.watcher, ref: entry.ref, reason: r }), reason);
  }

  spawn(p: Proc | null, node: string, type: string, args: readonly unknown[], options: RemoteSpawnOptions, monitorRef: Ref | null): Promise<Pid> {
    if (this.stopping) return Promise.reject(new NodeStoppedError(this.k.name));
    if (options.signal?.aborted) return Promise.reject(new AbortedError('spawn', { node, type }));
    const monitor = monitorRef !== null && p !== null;
    const ref = monitor ? monitorRef : this.k.makeRef();
    const link = options.link === true && p !== null;
    const opts = {
      ...(link ? { link: true } : {}),
      ...(options.name !== undefined ? { name: options.name } : {}),
      ...(monitor ? { monitor: true } : {}),
    };
    return new Promise<Pid>((resolve, reject) => {
      let sent: boolean;
      try {
        sent = this.sendFrame(node, {
          kind: 'spawn_request',
          ref,
          from: p?.self ?? this.k.nodePid,
          type,
          args: args as Term[],
          opts,
        });
      } catch (e) {
        reject(e);
        return;
      }
      if (!sent) {
        reject(new NoConnectionError(node, { operation: 'spawn', type }));
        return;
      }
      const pending: PendingSpawn = { ref, node, parent: p, link, monitor, resolve, reject, abandoned: false, cleanup: null };
      this.spawns.add(node, ref.key, pending);
      const timeout = options.timeout ?? DEFAULT_SPAWN_TIMEOUT;
      const giveUp = (error: Error): void => {
        pending.cleanup?.();
        pending.cleanup = null;
        // Without a link or monitor nothing depends on the reply: forget it. With one, keep the
        // entry so the child can be told (exit `abandoned`, demonitor) when its reply arrives.
        if (link || monitor) pending.abandoned = true;
        else this.spawns.remove(node, ref.key);
        reject(error);
      };
      const timer = setTimeout(() => giveUp(new TimeoutError('spawn', timeout, { node, type })), timeout);
      const signal = options.signal;
      const onAbort = (): void => giveUp(new AbortedError('spawn', { node, type }));
      signal?.addEventListener('abort', onAbort, { once: true });
      pending.cleanup = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
    });
  }

  /** SPAWN_REPLY for a pending request (called by FrameHandlers). */
  spawnReplied(pending: PendingSpawn, result: Pid | Error): void {
    pending.cleanup?.();
    pending.cleanup = null;
    if (result instanceof Error) {
      if (!pending.abandoned) pending.reject(result);
      return;
    }
    const parent = pending.parent;
    if (parent !== null && (pending.monitor || pending.link)) this.bindChild(pending, parent, result);
    if (!pending.abandoned) pending.resolve(result);
  }

  /** A spawn with monitor or link succeeded: record them, or undo them if the requester is gone. */
  private bindChild(pending: PendingSpawn, parent: Proc, result: Pid): void {
    const gone = pending.abandoned || (parent.flags & F_EXITED) !== 0 || !parent.alive;
    if (pending.monitor) {
      // The spawning node set the monitor up before the child ran; its MONITOR_DOWN comes after
      // this reply, so recording the monitor now loses no exit.
      if (gone) {
        this.sendFrame(result.node, { kind: 'demonitor', from: parent.self, to: result, ref: pending.ref });
      } else {
        const entry: MonitorOut = { ref: pending.ref, target: result, local: null, remoteNode: result.node };
        (parent.monitors ??= new Map()).set(pending.ref.key, entry);
        this.outMonitors.add(result.node, pending.ref.key, { p: parent, entry });
      }
    }
    if (pending.link) {
      if (gone) {
        const reason = pending.abandoned ? ExitReasons.other('abandoned') : (parent.reason ?? ExitReasons.noproc);
        this.sendWithReason(result.node, (r) => ({ kind: 'exit', from: parent.self, to: result, reason: r }), reason);
      } else {
        (parent.links ??= new Map()).set(result.key, result);
        this.links.add(result.node, linkKey(parent.self, result), { p: parent, remote: result });
      }
    }
  }

  // ---- connection events ----

  private nodeUp(peer: PeerInfo): void {
    this.k.notifyNodeWatchers('nodeup', peer.name, peer.hidden);
    this.onNodeEvent('nodeup', peer, undefined);
    try {
      this.policy.nodeUp(peer);
    } catch (e) {
      this.logger.error({ err: e, peer: peer.name }, 'connection policy failed on nodeup');
    }
  }

  private nodeDown(peer: PeerInfo, reason: DisconnectReason): void {
    this.failNode(peer.name, new NoConnectionError(peer.name, { reason: reason.kind }));
    this.k.notifyNodeWatchers('nodedown', peer.name, peer.hidden);
    this.onNodeEvent('nodedown', peer, reason.kind);
    try {
      this.policy.nodeDown(peer, reason);
    } catch (e) {
      this.logger.error({ err: e, peer: peer.name }, 'connection policy failed on nodedown');
    }
  }

  private connectFailed(name: string, error: Error): void {
    if (this.transport.peer(name) !== undefined) return;
    this.logger.info({ ...errorLogFields(error), peer: name }, 'connection attempt failed');
    this.failNode(name, new NoConnectionError(name, { reason: error.message }));
    try {
      this.policy.connectFailed?.(name, error);
    } catch (e) {
      this.logger.error({ err: e, peer: name }, 'connection policy failed on a failed connection attempt');
    }
  }

  /**
   * The connection to `node` is gone (or never came up): links to processes there break with
   * `noconnection`, monitors of processes there fire DOWN `noconnection`, monitors processes there
   * held here are forgotten, pending spawns fail. Calls end through their monitors.
   */
  private failNode(node: string, error: NoConnectionError): void {
    const k = this.k;
    for (const { p, remote } of this.links.take(node)) {
      if (p.links !== null && p.links.delete(remote.key)) k.signal(p, remote, ExitReasons.noconnection, true);
    }
    for (const { p, entry } of this.outMonitors.take(node)) {
      if (p.monitors !== null && p.monitors.delete(entry.ref.key)) {
        p.deliver({ signal: 'DOWN', ref: entry.ref, target: entry.target, reason: ExitReasons.noconnection });
      }
    }
    this.callMonitors.nodeDown(node);
    for (const { q, ref } of this.inMonitors.take(node)) q.monitoredBy?.delete(ref.key);
    for (const pending of this.spawns.take(node)) {
      pending.cleanup?.();
      pending.cleanup = null;
      if (!pending.abandoned) pending.reject(error);
    }
  }
}
