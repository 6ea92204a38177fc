import type { RegisterResult, Scope, WaitOptions } from '@sdnode/registry';
import { InvalidArgumentError, NameNotRegisteredError, UnknownGroupError, type Pid, type Term } from '@sdnode/wire';
import { SGroupFunctions } from './sgroup-functions.js';
import type { SGroups } from './sgroups.js';

export interface LookupOptions extends WaitOptions {
  /** Ask this member of the group (default: a connected member, else the first). */
  readonly via?: string;
}

/**
 * The name spaces of s_groups (SD Erlang's register_name/whereis_name/send with a group):
 * - only a member registers in a group; the same name may exist in different groups, and one pid
 *   may be named in several (one name per group);
 * - a member answers from its group's scope; a node outside the group asks a member (a point to
 *   point connection, not a group membership).
 */
export class GroupNames {
  constructor(private readonly s: SGroups) {}

  async register(group: string, name: string, pid: Pid, meta: Term | null = null, options: WaitOptions = {}): Promise<RegisterResult> {
    return this.scopeOf(group).register(name, pid, meta, options);
  }

  async reRegister(group: string, name: string, pid: Pid, meta: Term | null = null, options: WaitOptions = {}): Promise<RegisterResult> {
    return this.scopeOf(group).reRegister(name, pid, meta, options);
  }

  async unregister(group: string, name: string, options: WaitOptions = {}): Promise<void> {
    return this.scopeOf(group).unregister(name, options);
  }

  /** A member's local answer (undefined when this node is not a member or the name is not known here). */
  whereisLocal(group: string, name: string): Pid | undefined {
    return this.s.scope(group)?.whereis(name);
  }

  /** The pid of `name` in `group`, from here if a member, else from a member of the group. */
  async whereis(group: string, name: string, options: LookupOptions = {}): Promise<Pid | undefined> {
    const scope = this.s.scope(group);
    if (scope !== undefined && options.via === undefined) return (await scope.find(name, options))?.pid;
    return this.whereisAt(options.via ?? this.memberToAsk(group), group, name, options);
  }

  /** Ask `node` (SD Erlang's whereis_name(Node, Group, Name)). */
  async whereisAt(node: string, group: string, name: string, options: WaitOptions = {}): Promise<Pid | undefined> {
    await this.reach(node, group, options);
    const pid = await this.s.node.rpc<Pid | null>(node, SGroupFunctions.whereis, [group, name], {
      timeout: options.timeout ?? 5000,
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
    });
    return pid ?? undefined;
  }

  /** Send to `name` in `group` from any node; NameNotRegisteredError when nobody has the name. */
  async send(group: string, name: string, msg: unknown, options: LookupOptions = {}): Promise<void> {
    const pid = await this.whereis(group, name, options);
    if (pid === undefined) throw new NameNotRegisteredError(group, name);
    this.s.node.send(pid, msg);
  }

  /** Names of a group (from a member). */
  async registeredNames(group: string, options: LookupOptions = {}): Promise<string[]> {
    const scope = this.s.scope(group);
    if (scope !== undefined && options.via === undefined) return scope.registeredNames();
    const member = options.via ?? this.memberToAsk(group);
    await this.reach(member, group, options);
    return this.s.node.rpc<string[]>(member, SGroupFunctions.names, [group], {
      timeout: options.timeout ?? 5000,
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
    });
  }

  /** Names, in this node's groups, of pids living on `node` (SD Erlang's registered_names({node, N})). */
  registeredNamesOfNode(node: string): Array<{ group: string; name: string }> {
    const out: Array<{ group: string; name: string }> = [];
    for (const { name: group } of this.s.ownGroups()) for (const name of this.s.scope(group)?.namesOfNode(node) ?? []) out.push({ group, name });
    return out;
  }

  /** Connect (point to point) to a member to ask, with the address the definitions or peers gave. */
  private async reach(node: string, group: string, options: WaitOptions): Promise<void> {
    if (this.s.node.nodes({ all: true }).includes(node)) return;
    const address = this.s.addressOf(node) ?? this.s.table.get(group)?.addresses[node];
    await this.s.node.connect(node, { ...(address !== undefined ? { address } : {}), timeout: options.timeout ?? 5000, ...(options.signal !== undefined ? { signal: options.signal } : {}) });
  }

  private scopeOf(group: string): Scope {
    this.s.requireMember(group);
    const scope = this.s.scope(group);
    if (scope === undefined) throw new InvalidArgumentError('registry', 'SGroups was started without a registry: groups have no name spaces');
    return scope;
  }

  private memberToAsk(group: string): string {
    const d = this.s.table.get(group);
    if (d === undefined || d.deleted || d.members.length === 0) throw new UnknownGroupError(group, this.s.node.name);
    const connected = new Set(this.s.node.nodes({ all: true }));
    return d.members.find((m) => connected.has(m)) ?? (d.members[0] as string);
  }
}
