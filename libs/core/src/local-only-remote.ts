import { ExitReasons, NoConnectionError, type ExitReason, type Pid, type Ref } from '@sdnode/wire';
import type { RemoteOps } from './remote-ops.js';
import type { Kernel } from './kernel.js';
import type { MonitorIn, MonitorOut, Proc } from './process.js';
import type { NameAtNode } from './signals.js';
import type { RemoteSpawnOptions } from './process-context.js';

/**
 * Remote operations of a node started without a transport (`transport: null`): every other node
 * is unreachable. Messages are dropped, links break and monitors fire with `noconnection`, remote
 * spawns fail with NoConnectionError, exactly as for a node that cannot be reached.
 */
export class LocalOnlyRemote implements RemoteOps {
  constructor(private readonly k: Kernel) {}

  send(): void {}

  regSend(): void {}

  link(p: Proc, to: Pid): void {
    p.links?.delete(to.key);
    this.k.signal(p, to, ExitReasons.noconnection, true);
  }

  unlink(): void {}

  linkExit(_from: Pid, _to: Pid, _reason: ExitReason): void {}

  exit2(): void {}

  monitor(p: Proc, ref: Ref, _node: string, _to: Pid | string, target: Pid | NameAtNode): MonitorOut | null {
    p.deliver({ signal: 'DOWN', ref, target, reason: ExitReasons.noconnection });
    return null;
  }

  demonitor(): void {}

  down(_target: Proc, _entry: MonitorIn, _reason: ExitReason): void {}

  spawn(_p: Proc | null, node: string, _type: string, _args: readonly unknown[], _options: RemoteSpawnOptions): Promise<Pid> {
    return Promise.reject(new NoConnectionError(node, { operation: 'spawn' }));
  }
}
