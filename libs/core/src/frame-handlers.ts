import {
  ExitReasons,
  NameTakenError,
  SdnodeError,
  errorFromWire,
  isExitReason,
  isPid,
  isRef,
  isWireError,
  RemoteError,
  type DistFrame,
  type ExitReason,
  type Pid,
  type Ref,
  type SpawnRequestFrame,
  type WireError,
} from '@sdnode/wire';
import type { PeerInfo } from '@sdnode/transport';
import type { Proc } from './process.js';
import { F_EXITED } from './process-flags.js';
import { linkKey, type Distribution } from './distribution.js';

/**
 * Incoming distribution frames, one handler per frame kind (docs/protocols/distribution.md).
 * Every handler checks that the frame concerns this node's current incarnation and that its
 * sender fields name the peer it came from; anything else is stale or forged and is dropped (or
 * answered as Erlang does: a link or monitor of a dead or old-incarnation pid gets `noproc`).
 * A handler never throws to the transport: bad input is counted and logged.
 */
export class FrameHandlers {
  /** Frames dropped as malformed, forged or stale. */
  dropped = 0;

  constructor(private readonly d: Distribution) {}

  handle(peer: PeerInfo, frame: DistFrame): void {
    try {
      if (!this.dispatch(peer, frame)) this.drop(peer, frame, 'invalid');
    } catch (e) {
      this.dropped++;
      this.d.logger.warn({ err: e, peer: peer.name, kind: (frame as { kind?: unknown })?.kind }, 'frame handler failed');
    }
  }

  private drop(peer: PeerInfo, frame: DistFrame, why: string): void {
    this.dropped++;
    this.d.logger.debug({ peer: peer.name, kind: (frame as { kind?: unknown })?.kind, why }, 'frame dropped');
  }

  /** Returns false when the frame is malformed or forged. */
  private dispatch(peer: PeerInfo, f: DistFrame): boolean {
    const k = this.d.k;
    switch (f.kind) {
      case 'send': {
        if (!isPid(f.to)) return false;
        k.lookup(f.to)?.deliver(f.msg);
        return true;
      }
      case 'reg_send': {
        if (!this.fromPeer(peer, f.from) || typeof f.name !== 'string') return false;
        k.names.get(f.name)?.deliver(f.msg);
        return true;
      }
      case 'link':
        return this.link(peer, f.from, f.to);
      case 'unlink': {
        if (!this.fromPeer(peer, f.from) || !isPid(f.to)) return false;
        const q = k.lookup(f.to);
        if (q !== undefined && q.links !== null && q.links.delete(f.from.key)) this.d.links.remove(peer.name, linkKey(q.self, f.from));
        return true;
      }
      case 'exit': {
        if (!this.fromPeer(peer, f.from) || !isPid(f.to) || !isExitReason(f.reason)) return false;
        const q = k.lookup(f.to);
        // A link exit for a link that no longer exists (unlinked meanwhile) is stale.
        if (q === undefined || q.links === null || !q.links.delete(f.from.key)) return true;
        this.d.links.remove(peer.name, linkKey(q.self, f.from));
        k.signal(q, f.from, f.reason, true);
        return true;
      }
      case 'exit2': {
        if (!this.fromPeer(peer, f.from) || !isPid(f.to) || !isExitReason(f.reason)) return false;
        const q = k.lookup(f.to);
        if (q !== undefined) k.signal(q, f.from, f.reason, false);
        return true;
      }
      case 'monitor':
        return this.monitor(peer, f.from, f.to, f.ref);
      case 'demonitor': {
        if (!this.fromPeer(peer, f.from) || !isRef(f.ref)) return false;
        const w = this.d.inMonitors.remove(peer.name, f.ref.key);
        w?.q.monitoredBy?.delete(f.ref.key);
        return true;
      }
      case 'monitor_down': {
        if (!isPid(f.to) || !isRef(f.ref) || !isExitReason(f.reason)) return false;
        const call = k.lookup(f.to)?.callMon;
        if (call != null && call.ref !== null && call.target!.node === peer.name && call.ref.equals(f.ref)) {
          this.d.callMonitors.down(call, f.reason);
          return true;
        }
        const m = this.d.outMonitors.remove(peer.name, f.ref.key);
        if (m === undefined) return true; // demonitored meanwhile, or not ours: stale
        if (m.p.monitors !== null && m.p.monitors.delete(f.ref.key)) {
          m.p.deliver({ signal: 'DOWN', ref: f.ref, target: m.entry.target, reason: f.reason });
        }
        return true;
      }
      case 'spawn_request':
        return this.spawnRequest(peer, f);
      case 'spawn_reply': {
        if (!isRef(f.ref)) return false;
        const pending = this.d.spawns.remove(peer.name, f.ref.key);
        if (pending === undefined) return true; // timed out without link, or not ours: stale
        if (isPid(f.result)) {
          if (f.result.node !== peer.name) return false;
          this.d.spawnReplied(pending, f.result);
        } else if (isWireError(f.result)) {
          this.d.spawnReplied(pending, errorFromWire(f.result));
        } else {
          this.d.spawnReplied(pending, new RemoteError('EBADREPLY', 'malformed spawn reply'));
        }
        return true;
      }
      case 'nodes': {
        if (!Array.isArray(f.nodes)) return false;
        this.d.policy.nodes(peer, f);
        return true;
      }
      case 'control': {
        if (typeof f.channel !== 'string') return false;
        const handler = this.d.controls.get(f.channel);
        if (handler === undefined) {
          this.drop(peer, f, `no handler for channel ${f.channel}`);
          return true;
        }
        handler(peer, f.body);
        return true;
      }
      default:
        return false;
    }
  }

  private fromPeer(peer: PeerInfo, pid: unknown): pid is Pid {
    return isPid(pid) && pid.node === peer.name;
  }

  /** LINK: link the local `to` to the remote `from`; a dead or unknown `to` answers EXIT noproc. */
  private link(peer: PeerInfo, from: unknown, to: unknown): boolean {
    if (!this.fromPeer(peer, from) || !isPid(to)) return false;
    const q = this.d.k.lookup(to);
    if (q === undefined || (q.flags & F_EXITED) !== 0) {
      this.d.transport.send(peer.name, { kind: 'exit', from: to, to: from, reason: ExitReasons.noproc });
      return true;
    }
    (q.links ??= new Map()).set(from.key, from);
    this.d.links.add(peer.name, linkKey(q.self, from), { p: q, remote: from });
    return true;
  }

  /** MONITOR: watch a local pid or name for a remote process; dead or unknown answers DOWN noproc. */
  private monitor(peer: PeerInfo, from: unknown, to: unknown, ref: unknown): boolean {
    if (!this.fromPeer(peer, from) || !isRef(ref) || (!isPid(to) && typeof to !== 'string')) return false;
    const k = this.d.k;
    const q: Proc | undefined = typeof to === 'string' ? k.names.get(to) : k.lookup(to);
    if (q === undefined || (q.flags & F_EXITED) !== 0) {
      this.sendDown(peer.name, to, from, ref, ExitReasons.noproc);
      return true;
    }
    const target = typeof to === 'string' ? { name: to, node: k.name } : q.self;
    (q.monitoredBy ??= new Map()).set(ref.key, { ref, watcher: from, target });
    this.d.inMonitors.add(peer.name, ref.key, { q, ref });
    return true;
  }

  private sendDown(node: string, from: Pid | string, to: Pid, ref: Ref, reason: ExitReason): void {
    this.d.transport.send(node, { kind: 'monitor_down', from, to, ref, reason });
  }

  /**
   * SPAWN_REQUEST: spawn the named type; with `link`, link it to the requester before it runs;
   * with `monitor`, let the requester monitor it (ref: the request's ref) before it runs;
   * with `name`, register it. The reply goes out before the child runs, so any EXIT from the
   * child reaches the requester after the SPAWN_REPLY.
   */
  private spawnRequest(peer: PeerInfo, f: SpawnRequestFrame): boolean {
    if (!isRef(f.ref) || !this.fromPeer(peer, f.from) || typeof f.type !== 'string' || !Array.isArray(f.args)) return false;
    const k = this.d.k;
    const opts = typeof f.opts === 'object' && f.opts !== null ? f.opts : {};
    let result: Pid | WireError;
    try {
      if (opts.name !== undefined && k.names.has(opts.name)) {
        throw new NameTakenError(opts.name, k.names.get(opts.name)!.self.toString());
      }
      const child = k.spawn(f.type, f.args, null);
      if (opts.name !== undefined) k.register(opts.name, child);
      if (opts.link === true) {
        (child.links ??= new Map()).set(f.from.key, f.from);
        this.d.links.add(peer.name, linkKey(child.self, f.from), { p: child, remote: f.from });
      }
      if (opts.monitor === true) {
        (child.monitoredBy ??= new Map()).set(f.ref.key, { ref: f.ref, watcher: f.from, target: child.self });
        this.d.inMonitors.add(peer.name, f.ref.key, { q: child, ref: f.ref });
      }
      result = child.self;
    } catch (e) {
      result = e instanceof SdnodeError ? e.toWire() : { code: 'ESPAWN', message: String((e as Error)?.message ?? e), details: {} };
    }
    this.d.transport.send(peer.name, { kind: 'spawn_reply', ref: f.ref, to: f.from, result });
    return true;
  }
}
