import type { Pid, Term } from '@sdnode/wire';
import type { RegistryEntry } from './entry.js';
import { decidedEntry } from './register-result.js';
import type { ClaimKind } from './ops.js';
import type { Answer, NameOwner } from './owner.js';
import { PendingRequests, type Pending, type WaitOptions } from './pending-requests.js';
import type { ScopeCore } from './scope-core.js';

type RequestData =
  | { readonly type: 'claim'; readonly kind: ClaimKind; readonly name: string; readonly pid: Pid | null; readonly meta: Term | null; sentView: string | null }
  | { readonly type: 'fwd'; readonly home: string }
  | { readonly type: 'lookup'; readonly name: string; asked: string };

type Reply = Answer | { readonly found: RegistryEntry | null };

/**
 * The requesting side (docs/protocols/registry.md, "Claiming"): claims go to the name's owner in
 * this node's view, and only when that view is stable; a claim answered `retry` (the owner was in
 * another view) or whose owner left is sent again once this node's view is stable. Also the
 * forwarding of registrations to a pid's home, and lookups (partitioned mode).
 */
export class NameRequester {
  readonly requests: PendingRequests<RequestData, Reply>;

  constructor(
    private readonly c: ScopeCore,
    private readonly owner: NameOwner,
    /** A registration of a local pid was decided (also when its request already timed out). */
    private readonly onDecided: (entry: RegistryEntry, replaces: string | null) => void,
  ) {
    this.requests = new PendingRequests(c.settings.requestTimeout);
  }

  /** Ask the owner of `name` for a write; resolves with its answer. */
  claim(kind: ClaimKind, name: string, pid: Pid | null, meta: Term | null, options: WaitOptions): Promise<Answer> {
    const data: RequestData = { type: 'claim', kind, name, pid, meta, sentView: null };
    const { req, promise } = this.requests.create(kind === 'unreg' ? 'unregister' : 'register', data, options, { scope: this.c.scope, name });
    this.sendClaim(this.requests.get(req)!);
    return promise as Promise<Answer>;
  }

  private sendClaim(p: Pending<RequestData, Reply>): void {
    const c = this.c;
    const d = p.data;
    if (d.type !== 'claim' || !c.view.stable) return;
    d.sentView = c.view.hash;
    const owner = c.view.ring.owner(d.name);
    if (owner === c.self) {
      this.owner.claim({ req: p.req, kind: d.kind, name: d.name, pid: d.pid, meta: d.meta, view: d.sentView }, (a) => this.answer(p.req, a));
    } else {
      c.send(owner, ['claim', p.req, d.kind, d.name, d.pid, d.meta, d.sentView]);
    }
  }

  /** A RESULT (or a local owner's answer) for request `req`. */
  answer(req: number, answer: Answer): void {
    const p = this.requests.get(req);
    if (answer.outcome === 'ok' && (p === undefined || (p.data.type === 'claim' && p.data.kind !== 'unreg'))) {
      const decided = answer.decided ?? decidedEntry(answer.detail);
      if (decided !== undefined && this.c.isLocal(decided.entry.pid)) this.onDecided(decided.entry, decided.replaces);
    }
    if (p === undefined) return;
    if (answer.outcome === 'retry' && p.data.type === 'claim') {
      p.data.sentView = null;
      if (this.c.view.stable && answer.detail === this.c.view.hash) this.sendClaim(p);
      return;
    }
    p.resolve(answer);
  }

  /** The view is stable: send the claims that wait for it, or were sent in another view. */
  stable(): void {
    for (const p of this.requests.values()) {
      if (p.data.type === 'claim' && p.data.sentView !== this.c.view.hash) this.sendClaim(p);
    }
  }

  /** Members left: lookups they were asked are asked again (of the new owner). */
  viewChanged(removed: readonly string[]): void {
    if (removed.length === 0) return;
    const gone = new Set(removed);
    for (const p of this.requests.values()) {
      if (p.data.type === 'lookup' && gone.has(p.data.asked)) this.askOwner(p);
      else if (p.data.type === 'fwd' && gone.has(p.data.home)) p.resolve({ outcome: 'noproc', detail: null });
    }
  }

  /** Register a pid of another member: its home checks it and claims (one hop more). */
  forward(home: string, kind: ClaimKind, name: string, pid: Pid, meta: Term | null, options: WaitOptions): Promise<Answer> {
    const { req, promise } = this.requests.create('register', { type: 'fwd', home }, options, { scope: this.c.scope, name, pid: pid.toString() });
    this.c.send(home, ['fwd', req, kind, name, pid, meta]);
    return promise as Promise<Answer>;
  }

  /** Ask the owner (partitioned mode) for the entry of `name`. */
  lookup(name: string, options: WaitOptions): Promise<RegistryEntry | null> {
    const { req, promise } = this.requests.create('whereis', { type: 'lookup', name, asked: '' }, options, { scope: this.c.scope, name });
    this.askOwner(this.requests.get(req)!);
    return promise.then((r) => ('found' in r ? r.found : null));
  }

  private askOwner(p: Pending<RequestData, Reply>): void {
    if (p.data.type !== 'lookup') return;
    const owner = this.c.view.ring.owner(p.data.name);
    p.data.asked = owner;
    if (owner === this.c.self) p.resolve({ found: this.c.table.get(p.data.name) ?? null });
    else this.c.send(owner, ['lookup', p.req, p.data.name]);
  }

  found(req: number, entry: RegistryEntry | null): void {
    const p = this.requests.get(req);
    if (p === undefined || p.data.type !== 'lookup') return;
    if (entry !== null && this.c.mayHold(entry.pid)) {
      this.c.cache.put(entry);
      p.resolve({ found: entry });
    } else {
      p.resolve({ found: null });
    }
  }
}
