import type { RegisterResult, Scope, WaitOptions } from '@sdnode/registry';
import { InvalidArgumentError, NameNotRegisteredError, NotGroupMemberError, TimeoutError, UnknownGroupError, isPid, type Pid, type Term } from '@sdnode/wire';
import { definitionFromWire } from './group-definition.js';
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

  /**
   * Ask `node` (SD Erlang's whereis_name(Node, Group, Name)). If `node` has left the group, its
   * answer carries its newer definition: this node adopts it and asks a member of it, once, within
   * the same timeout (docs/protocols/sgroups.md, "Nodes outside the group").
   */
  async whereisAt(node: string, group: string, name: string, options: WaitOptions = {}): Promise<Pid | undefined> {
    const pid = await this.ask(node, group, SGroupFunctions.whereis, [group, name], options, (v): v is Pid | null => v === null || isPid(v));
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
    const isNames = (v: unknown): v is string[] => Array.isArray(v) && v.every((n) => typeof n === 'string');
    return this.ask(options.via ?? this.memberToAsk(group), group, SGroupFunctions.names, [group], options, isNames);
  }

  /** Names, in this node's groups, of pids living on `node` (SD Erlang's registered_names({node, N})). */
  registeredNamesOfNode(node: string): Array<{ group: string; name: string }> {
    const out: Array<{ group: string; name: string }> = [];
    for (const { name: group } of this.s.ownGroups()) for (const name of this.s.scope(group)?.namesOfNode(node) ?? []) out.push({ group, name });
    return out;
  }

  /**
   * Ask `node` by rpc `fn` (with the redirect flag, protocol version 5). If it answers that it is
   * not a member, with its definition of the group, adopt that if newer; if `node` was a member of
   * the definition held here and is not of the one held now, ask a member of that, once. The
   * caller's timeout covers both attempts. Otherwise the lookup fails with NotGroupMemberError
   * (`node` is not a member and knows no newer definition), or UnknownGroupError (the group is now
   * known here to be deleted).
   */
  private async ask<T>(node: string, group: string, fn: string, args: readonly unknown[], options: WaitOptions, valid: (v: unknown) => v is T): Promise<T> {
    const timeout = options.timeout ?? 5000;
    const deadline = Date.now() + timeout;
    for (let asked = node, retried = false; ; retried = true) {
      const held = this.s.table.get(group);
      const answer = await this.askOnce(asked, fn, [...args, true], deadline, timeout, options.signal);
      if (valid(answer)) return answer; // a version 4 node ignores the flag: its plain answer
      if (typeof answer !== 'object' || answer === null) throw new InvalidArgumentError('answer', `malformed ${fn} answer from ${asked}`);
      if ('value' in answer) {
        if (!valid(answer.value)) throw new InvalidArgumentError('answer', `malformed ${fn} answer from ${asked}`);
        return answer.value;
      }
      const def = 'moved' in answer ? definitionFromWire(answer.moved) : undefined;
      if (def === undefined || def.name !== group) throw new InvalidArgumentError('answer', `malformed ${fn} answer from ${asked}`);
      this.s.adopt(def, { via: 'info', from: asked }); // only if newer
      // The definition held now (the answer's, or a newer one the meeting with `asked` brought).
      const now = this.s.table.get(group);
      if (now === undefined || now.deleted) throw new UnknownGroupError(group, this.s.node.name);
      // Asked as a member of the definition held then, and not one of the definition held now: once more.
      const left = held !== undefined && !held.deleted && held.members.includes(asked) && !now.members.includes(asked);
      if (retried || !left) throw new NotGroupMemberError(group, asked);
      asked = this.memberToAsk(group);
    }
  }

  /** One rpc to `node` (connecting point to point first), with what is left until `deadline`. */
  private async askOnce(node: string, fn: string, args: readonly unknown[], deadline: number, timeout: number, signal: AbortSignal | undefined): Promise<unknown> {
    const left = (): number => {
      const ms = deadline - Date.now();
      if (ms <= 0) throw new TimeoutError(`${fn} on ${node}`, timeout);
      return ms;
    };
    const group = args[0] as string;
    if (!this.s.node.nodes({ all: true }).includes(node)) {
      const address = this.s.addressOf(node) ?? this.s.table.get(group)?.addresses[node];
      await this.s.node.connect(node, { ...(address !== undefined ? { address } : {}), timeout: left(), ...(signal !== undefined ? { signal } : {}) });
    }
    return this.s.node.rpc(node, fn, args, { timeout: left(), ...(signal !== undefined ? { signal } : {}) });
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
