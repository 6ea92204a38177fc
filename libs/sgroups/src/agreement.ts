import { AbortedError, ConcurrentChangeError } from '@sdnode/wire';
import { compareVersions, definitionToWire, nextDefinition, sameMembers, type DefinitionWire, type GroupDefinition, type GroupVersion } from './group-definition.js';
import type { GroupTable } from './group-table.js';
import type { DefinitionSource } from './forwarding.js';

/** The ops of the membership protocol (docs/protocols/sgroups.md), on CONTROL channel `sdnode.sgroups`. */
export type SGroupOp =
  | readonly ['info', defs: readonly DefinitionWire[], addresses: Readonly<Record<string, string>>, full: boolean]
  | readonly ['propose', tx: string, def: DefinitionWire, base: readonly [number, string] | null]
  | readonly ['vote', tx: string, yes: boolean, current: DefinitionWire | null]
  | readonly ['commit', tx: string, def: DefinitionWire, missed: readonly string[]]
  | readonly ['abort', tx: string];

export interface AgreementHost {
  readonly table: GroupTable;
  /** `name#creation`: who proposes, in versions. */
  readonly proposer: string;
  send(peer: string, op: SGroupOp): boolean;
  isConnected(peer: string): boolean;
  connect(peer: string, address: string | undefined, timeout: number): Promise<void>;
  /** Adopt a definition (the table, connections, name spaces follow; `source` says who already holds it). */
  adopt(def: GroupDefinition, source: DefinitionSource): void;
  /** Keep the connections to these nodes until the returned release is called. */
  pin(nodes: Iterable<string>): () => void;
  /**
   * The proposer of a change this node voted for went down before its COMMIT or ABORT came: it may
   * have committed to others. Ask the change's other members (they answer with what is newer).
   */
  inDoubt(group: string, members: readonly string[]): void;
}

/** A change this node promised (or proposes); `release` unpins its nodes; `involved`: its other nodes. */
interface Promise_ {
  readonly tx: string;
  readonly from: string;
  readonly until: number;
  readonly release: () => void;
  readonly involved: readonly string[];
}

/** A node that could not take part in a change, and why. */
export interface NodeProblem {
  readonly node: string;
  readonly reason: string;
}

/** How an agreed change ended. */
export interface ChangeResult {
  readonly definition: GroupDefinition;
  /** Nodes to be added that could not be reached or did not accept: left out of the group. */
  readonly notJoined: readonly NodeProblem[];
  /** Existing members that could not be reached: they catch up when they meet a member again. */
  readonly notReached: readonly NodeProblem[];
}

export interface ChangeOptions {
  /** Milliseconds to connect to new members and gather votes (default 3000). */
  readonly timeout?: number;
  readonly signal?: AbortSignal;
  /** Addresses of nodes to add that this node is not connected to. */
  readonly addresses?: Readonly<Record<string, string>>;
}

interface Proposal {
  readonly def: GroupDefinition;
  readonly voters: Set<string>;
  /** Voters whose vote has not come (and that are still connected). */
  readonly waiting: Set<string>;
  readonly yes: Set<string>;
  no: GroupDefinition | null | undefined;
  /** The voter whose VOTE(no) carried `no`. */
  noFrom: string | undefined;
  readonly done: () => void;
}

/**
 * Agreed membership changes (docs/protocols/sgroups.md, "Changing a group"): the proposer sends
 * the next definition to every old and new member it can reach (PROPOSE, with the version it is
 * based on); each promises not to accept another change of that group for a while and votes yes,
 * or votes no with the newer definition it knows (or when it promised another change). All yes:
 * COMMIT to the voters, who adopt it; a no: ABORT, and the caller gets ConcurrentChangeError.
 * New members that could not be reached, or did not answer, are left out and reported; old
 * members that could not be reached catch up later (INFO: the newer definition wins).
 */
export class GroupAgreement {
  /** Per group, the change this node promised (or proposes). */
  private readonly promises = new Map<string, Promise_>();
  private readonly proposals = new Map<string, Proposal>();
  private lastTx = 0;

  constructor(
    private readonly host: AgreementHost,
    private readonly promiseTimeout = 10_000,
  ) {}

  /** Propose `members` (or deletion) as the next definition of `group`. */
  async change(group: string, members: readonly string[], deleted: boolean, options: ChangeOptions = {}): Promise<ChangeResult> {
    const h = this.host;
    const timeout = options.timeout ?? 3000;
    if (options.signal?.aborted) throw new AbortedError('s_group change', { group });
    const promised = this.promised(group);
    if (promised !== undefined) throw new ConcurrentChangeError(group, promised.from, h.table.get(group)?.version.n ?? 0);
    const current = h.table.get(group);
    const oldMembers = current === undefined || current.deleted ? [] : current.members.filter((m) => m !== h.table.self);
    const wanted = [...new Set(members)].filter((m) => m !== h.table.self);
    const added = wanted.filter((m) => !oldMembers.includes(m));
    // Every node of the change stays connected until it ends (released with the promise below).
    const release = h.pin([...oldMembers, ...added]);
    const notJoined: NodeProblem[] = [];
    await Promise.all(
      added.map(async (node) => {
        if (h.isConnected(node)) return;
        try {
          await h.connect(node, options.addresses?.[node] ?? current?.addresses[node], timeout);
        } catch (e) {
          notJoined.push({ node, reason: `unreachable: ${(e as Error).message}` });
        }
      }),
    );
    const joinable = members.filter((m) => !notJoined.some((p) => p.node === m));
    const addresses = { ...(options.addresses ?? {}) };
    const draft = nextDefinition(current, group, joinable, h.proposer, addresses, deleted);
    const tx = `${h.proposer}/${++this.lastTx}`;
    const notReached: NodeProblem[] = [];
    const voters = new Set<string>();
    for (const node of new Set([...oldMembers, ...added.filter((a) => joinable.includes(a))])) {
      if (h.isConnected(node) && h.send(node, ['propose', tx, definitionToWire(draft), current === undefined ? null : [current.version.n, current.version.by]])) voters.add(node);
      else if (added.includes(node)) notJoined.push({ node, reason: 'not connected' });
      else notReached.push({ node, reason: 'not connected' });
    }
    this.setPromise(group, { tx, from: h.proposer, until: Date.now() + this.promiseTimeout, release, involved: [] });
    try {
      const proposal = await this.gather(tx, draft, voters, timeout, options.signal);
      if (proposal.no !== undefined) {
        for (const v of proposal.yes) h.send(v, ['abort', tx]);
        if (proposal.no !== null) h.adopt(proposal.no, { via: 'vote', from: proposal.noFrom ?? '' });
        const newer = proposal.no ?? h.table.get(group);
        throw new ConcurrentChangeError(group, newer?.version.by ?? 'unknown', newer?.version.n ?? 0);
      }
      for (const v of voters) {
        if (proposal.yes.has(v)) continue;
        if (added.includes(v)) notJoined.push({ node: v, reason: 'no answer' });
        else notReached.push({ node: v, reason: 'no answer' });
      }
      const left = new Set(notJoined.map((p) => p.node));
      const definition: GroupDefinition = { ...draft, members: draft.members.filter((m) => !left.has(m)) };
      if (current !== undefined && !current.deleted && !deleted && sameMembers(current.members, definition.members)) {
        // Nothing changes after all (nobody to add could join, nobody removed was a member): no new version.
        for (const v of proposal.yes) h.send(v, ['abort', tx]);
        return { definition: current, notJoined, notReached };
      }
      // Members (old and new) the COMMIT does not reach: a member that adopts it forwards it to
      // those of them it is connected to (usually none).
      const missed = [...new Set([...oldMembers, ...definition.members])].filter((m) => m !== h.table.self && !proposal.yes.has(m)).sort();
      for (const v of proposal.yes) h.send(v, ['commit', tx, definitionToWire(definition), missed]);
      h.adopt(definition, { via: 'change', holders: [...proposal.yes] });
      return { definition, notJoined, notReached };
    } finally {
      if (this.promises.get(group)?.tx === tx) this.dropPromise(group);
    }
  }

  private gather(tx: string, def: GroupDefinition, voters: Set<string>, timeout: number, signal?: AbortSignal): Promise<Proposal> {
    return new Promise<Proposal>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const finish = (): void => {
        if (!this.proposals.has(tx)) return;
        this.proposals.delete(tx);
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(proposal);
      };
      const onAbort = (): void => {
        if (!this.proposals.delete(tx)) return;
        clearTimeout(timer);
        for (const v of proposal.yes) this.host.send(v, ['abort', tx]);
        reject(new AbortedError('s_group change', { group: def.name }));
      };
      const proposal: Proposal = { def, voters, waiting: new Set(voters), yes: new Set(), no: undefined, noFrom: undefined, done: finish };
      this.proposals.set(tx, proposal);
      if (voters.size === 0) {
        finish();
        return;
      }
      timer = setTimeout(finish, timeout);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private promised(group: string): { tx: string; from: string; until: number } | undefined {
    const p = this.promises.get(group);
    if (p !== undefined && p.until <= Date.now()) {
      this.dropPromise(group);
      return undefined;
    }
    return p;
  }

  private setPromise(group: string, promise: Promise_): void {
    this.dropPromise(group);
    this.promises.set(group, promise);
  }

  private dropPromise(group: string): void {
    const p = this.promises.get(group);
    if (p === undefined) return;
    this.promises.delete(group);
    p.release();
  }

  // ---- acceptor ----

  propose(from: string, tx: string, def: GroupDefinition, base: GroupVersion | null): void {
    const h = this.host;
    const current = h.table.get(def.name);
    const promised = this.promised(def.name);
    const stale = current !== undefined && (base === null ? !current.deleted : compareVersions(current.version, base) > 0);
    if ((promised !== undefined && promised.tx !== tx) || stale) {
      h.send(from, ['vote', tx, false, current === undefined ? null : definitionToWire(current)]);
      return;
    }
    const involved = [from, ...def.members, ...(current?.members ?? [])].filter((n) => n !== h.table.self);
    this.setPromise(def.name, { tx, from, until: Date.now() + this.promiseTimeout, release: h.pin(involved), involved });
    h.send(from, ['vote', tx, true, null]);
  }

  vote(from: string, tx: string, yes: boolean, current: GroupDefinition | null): void {
    const p = this.proposals.get(tx);
    if (p === undefined || !p.waiting.delete(from)) return;
    if (yes) p.yes.add(from);
    else if (p.no === undefined || (current !== null && (p.no === null || compareVersions(current.version, p.no.version) > 0))) {
      p.no = current;
      p.noFrom = from;
    }
    if (p.waiting.size === 0 || p.no !== undefined) p.done();
  }

  /** `missed`: members the proposer did not commit to (undefined from a version 2 proposer). */
  commit(from: string, tx: string, def: GroupDefinition, missed: readonly string[] | undefined): void {
    // Adopt first: the cuts the new definition makes are due only once the pins go.
    const promised = this.promises.get(def.name)?.tx === tx;
    this.host.adopt(def, { via: 'commit', from, missed });
    if (promised) this.dropPromise(def.name);
  }

  abort(tx: string): void {
    for (const [group, p] of [...this.promises]) if (p.tx === tx) this.dropPromise(group);
  }

  /**
   * A peer went down: its promises lapse, and this node, in doubt about those changes (the COMMIT
   * may have reached other members and not this one), asks their other members; proposals stop
   * waiting for its vote.
   */
  peerDown(peer: string): void {
    for (const [group, p] of [...this.promises]) {
      if (p.from !== peer) continue;
      this.dropPromise(group);
      this.host.inDoubt(group, p.involved.filter((n) => n !== peer));
    }
    for (const p of this.proposals.values()) {
      if (p.waiting.delete(peer) && p.waiting.size === 0) p.done();
    }
  }
}
