import { Pid, type Term } from '@sdnode/wire';
import type { RegistryEntry } from './entry.js';
import { decidedEntry } from './register-result.js';
import type { ClaimKind, OkItem } from './ops.js';
import type { Answer, NameOwner } from './owner.js';
import { PendingRequests, type Pending, type WaitOptions } from './pending-requests.js';
import type { ScopeCore } from './scope-core.js';

/**
 * What a claim by a pid's home resolves with, made from the owner's answer (an `ok` for a pid
 * that died meanwhile already turned into `noproc`); a throw rejects it. A function per kind of
 * caller, not per claim: the home's registration needs no closure and no second promise.
 */
export type HomeFinish = (answer: Answer) => unknown;

type RequestData =
  | {
      readonly type: 'claim';
      readonly kind: ClaimKind;
      readonly name: string;
      readonly pid: Pid | null;
      readonly meta: Term | null;
      sentView: string | null;
      /** Set when this node is the pid's home claiming for it (its name is in `homeClaims` until the claim ends). */
      readonly finish: HomeFinish | null;
    }
  | { readonly type: 'fwd'; readonly home: string }
  | { readonly type: 'lookup'; readonly name: string; asked: string };

type Reply = Answer | { readonly found: RegistryEntry | null } | ReturnType<HomeFinish>;

const NOPROC: Answer = Object.freeze({ outcome: 'noproc', detail: null });

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
    this.requests = new PendingRequests<RequestData, Reply>(c.settings.requestTimeout, (d) => this.ended(d));
  }

  /** Ask the owner of `name` for a write; resolves with its answer. */
  claim(kind: ClaimKind, name: string, pid: Pid | null, meta: Term | null, options: WaitOptions): Promise<Answer> {
    return this.send(kind, name, pid, meta, options, null) as Promise<Answer>;
  }

  /**
   * As the home of `pid` (alive, its name noted in `homeClaims`): claim `name` for it; resolves
   * with `finish` of the answer. When the claim ends, however, the home's note of it goes.
   */
  homeClaim<R>(kind: 'reg' | 'rereg', name: string, pid: Pid, meta: Term | null, options: WaitOptions, finish: (answer: Answer) => R): Promise<R> {
    return this.send(kind, name, pid, meta, options, finish) as Promise<R>;
  }

  private send(kind: ClaimKind, name: string, pid: Pid | null, meta: Term | null, options: WaitOptions, finish: HomeFinish | null): Promise<Reply> {
    const data: RequestData = { type: 'claim', kind, name, pid, meta, sentView: null, finish };
    const { req, promise } = this.requests.create(kind === 'unreg' ? 'unregister' : 'register', data, options, { scope: this.c.scope, name });
    const p = this.requests.get(req);
    if (p !== undefined) this.sendClaim(p);
    else this.ended(data); // aborted before it started: it never was pending
    return promise;
  }

  /** A request ended: a home's claim is no longer in flight. */
  private ended(d: RequestData): void {
    if (d.type !== 'claim' || d.finish === null || d.pid === null) return;
    const homeClaims = this.c.homeClaims;
    const key = d.pid.id;
    if (homeClaims.get(key) === d.name) homeClaims.delete(key);
  }

  /** Settle a request with an answer; a home's claim through its finish (a dead pid's `ok` is `noproc`). */
  private settle(p: Pending<RequestData, Reply>, answer: Answer): void {
    const d = p.data;
    if (d.type !== 'claim' || d.finish === null) {
      p.resolve(answer);
      return;
    }
    const a = answer.outcome === 'ok' && d.pid !== null && !this.c.isLocalAlive(d.pid) ? NOPROC : answer;
    let value: unknown;
    try {
      value = d.finish(a);
    } catch (e) {
      p.reject(e as Error);
      return;
    }
    p.resolve(value);
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
    this.settle(p, answer);
  }

  /**
   * An OKS item: the owner's `ok` for a claim of this node's pid, without the pid (this node's,
   * of `creation`). The claim's own Pid object is reused when the request is still pending.
   */
  answerOwn(creation: number, ok: OkItem): void {
    const [req, name, pidId, meta, id, at, replaces] = ok;
    const d = this.requests.get(req)?.data;
    const mine = d !== undefined && d.type === 'claim' && d.pid !== null && d.pid.id === pidId && d.pid.creation === creation ? d.pid : null;
    const pid = mine ?? new Pid(this.c.self, pidId, creation);
    this.answer(req, { outcome: 'ok', detail: null, decided: { entry: { name, pid, meta: meta ?? null, id, at }, replaces } });
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
      else if (p.data.type === 'fwd' && gone.has(p.data.home)) p.resolve(NOPROC);
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
    return promise.then((r) => (r !== null && typeof r === 'object' && 'found' in r ? (r.found as RegistryEntry | null) : null));
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
