import type { NameRegistration, NameService, NameServiceOptions, Node } from '@sdnode/core';
import { AbortedError, type Pid } from '@sdnode/wire';

/**
 * An in-memory name service for tests, with the contract's semantics: one pid per name, one name
 * per pid, only live pids. Like a real registry it forgets the name of a process that died by
 * itself (here when it next looks the name up). Liveness is the node's view, so it serves the
 * pids of one local node.
 */
export class FakeNameService implements NameService {
  private readonly byName = new Map<string, Pid>();
  private readonly byPid = new Map<string, string>();
  /** Every registerName call, in order (tests assert on it). */
  readonly registrations: { readonly name: string; readonly pid: Pid }[] = [];
  /** When set, registerName waits for it before answering (to test starts that time out). */
  gate: Promise<void> | null = null;

  constructor(
    private readonly node: Node,
    readonly scopeName = 'global',
  ) {}

  async registerName(name: string, pid: Pid, options: NameServiceOptions = {}): Promise<NameRegistration> {
    this.registrations.push({ name, pid });
    if (this.gate !== null) await this.gate;
    if (options.signal?.aborted === true) throw new AbortedError('registerName');
    if (!this.alive(pid)) return { ok: false, reason: 'noproc' };
    const holder = this.whereisName(name);
    if (holder !== undefined) return holder.equals(pid) ? { ok: true } : { ok: false, reason: 'taken', holder };
    const own = this.nameOf(pid);
    if (own !== undefined) return { ok: false, reason: 'already_named', name: own };
    this.byName.set(name, pid);
    this.byPid.set(pid.key, name);
    return { ok: true };
  }

  async unregisterName(name: string, options: NameServiceOptions = {}): Promise<void> {
    if (options.signal?.aborted === true) throw new AbortedError('unregisterName');
    this.forget(name);
  }

  whereisName(name: string): Pid | undefined {
    const pid = this.byName.get(name);
    if (pid === undefined) return undefined;
    if (this.alive(pid)) return pid;
    this.forget(name);
    return undefined;
  }

  /** The names held now (dead holders dropped). */
  names(): string[] {
    return [...this.byName.keys()].filter((n) => this.whereisName(n) !== undefined);
  }

  private nameOf(pid: Pid): string | undefined {
    const name = this.byPid.get(pid.key);
    return name !== undefined && this.whereisName(name) !== undefined ? name : undefined;
  }

  private forget(name: string): void {
    const pid = this.byName.get(name);
    if (pid === undefined) return;
    this.byName.delete(name);
    this.byPid.delete(pid.key);
  }

  private alive(pid: Pid): boolean {
    const info = this.node.processInfo(pid);
    return info !== undefined && info.status !== 'exiting';
  }
}
