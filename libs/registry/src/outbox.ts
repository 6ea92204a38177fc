import type { Pid } from '@sdnode/wire';
import type { ClaimItem, OkItem, Op, SetItem } from './ops.js';

/** Sends one CONTROL frame body to a peer; false when it could not be queued. */
export type ControlSender = (peer: string, body: unknown) => boolean;

/** Encodes a list of ops once, for every peer of a broadcast (the registry's TermCodec). */
export type OpsEncoder = (ops: readonly Op[]) => Uint8Array;

/** Ops per CONTROL frame (a SET coalesced into a SETS counts as one): a frame stays far below the transport's batch limit. */
export const MAX_OPS_PER_FRAME = 512;
/** Pids per coalesced JOIN / LEAVE op. */
const MAX_PIDS_PER_OP = 4096;

/** A joined or left pid's share of a frame's weight: a frame carries at most 512 x 16 of them. */
const PID_WEIGHT = 1 / 16;

/**
 * Pending weight (every list once) at which the outbox sends what it holds at once, instead of
 * at the end of the turn: a loop of 20 000 registrations or 100 000 joins then streams frames
 * to its peers, which work on them while it runs, instead of starting when it ends.
 */
export const EARLY_FLUSH_WEIGHT = 4 * MAX_OPS_PER_FRAME;

/** Ops queued for one scope, in push order; `weight` counts them (each coalesced SET too). */
interface OpList {
  readonly scope: string;
  readonly ops: Op[];
  weight: number;
  /**
   * The JOIN and LEAVE ops of the list's trailing run of pg ops, by kind and group: a JOIN
   * joins the run's JOIN of its group unless a LEAVE of that group came after it (and the same
   * for LEAVE), so joins made round-robin over many groups travel as one op per group. Cleared
   * by any other op.
   */
  pg?: { readonly join: Map<string, Op>; readonly leave: Map<string, Op> };
}

/** Ops pushed to the same peers (one array: a view's peers), encoded once at the flush for all of them. */
interface Broadcast extends OpList {
  readonly peers: readonly string[];
  /** The encoded ops once encoded; false when they could not be. */
  bytes: Uint8Array | null | false;
}

function isBroadcast(q: OpList): q is Broadcast {
  return 'peers' in q;
}

/**
 * Batches the registry's ops per peer and scope, and sends them at the end of the current
 * macrotask (process.nextTick) as CONTROL frames `[scope, [item, ...]]`, in the order they were
 * pushed. A thousand registrations made in one turn leave as two frames per peer, not a thousand.
 * Once EARLY_FLUSH_WEIGHT is pending it sends at once (a long loop of calls streams its frames).
 *
 * Two savings (docs/protocols/registry.md, "Frames"):
 * - ops pushed to several peers at once (`pushAll`: SETs, DELs, VIEW, JOIN ...) are collected in
 *   a broadcast list shared by those peers and CBOR-encoded once at the flush; each peer's frame
 *   carries the bytes as one item (a byte string holding `[op, ...]`) instead of encoding the same
 *   ops again per peer;
 * - a SET of this node's own pid (what a home spreads after every registration) is coalesced
 *   with the SETs before it into one SETS op, whose entries leave out the pid's node and creation
 *   (the sender's); CLAIMs of this node's pids the same way into one CLAIMS op, and an owner's
 *   OKS answers to one home (of one creation) into one OKS op.
 *
 * Order matters to the protocol (a node's syncs must precede its VIEW report), and holds: every
 * op of the registry to a peer goes through here; a broadcast list grows only while it is the
 * last thing queued for every one of its peers; frames to one peer leave in push order.
 */
export class Outbox {
  private pending = new Map<string, OpList[]>();
  /** The broadcast list that may still grow (it is the tail of each of its peers' queues). */
  private open: Broadcast | null = null;
  private scheduled = false;
  /** The weight of every list pending (each once, however many peers share it). */
  private pendingWeight = 0;
  /** Frames that could not be queued (no connection). */
  unsent = 0;
  /** Broadcast lists that could not be encoded once (an unsendable term): sent op by op instead. */
  encodeFailures = 0;

  constructor(
    private readonly sendFrame: ControlSender,
    private readonly encode: OpsEncoder,
    /** This node and its creation: whose pids a SETS entry names. */
    private readonly self: string,
    private readonly creation: number,
  ) {}

  push(peer: string, scope: string, op: Op): void {
    if (this.open !== null && this.open.peers.includes(peer)) this.open = null;
    const queue = this.queueOf(peer);
    const last = queue[queue.length - 1];
    if (last !== undefined && !isBroadcast(last) && last.scope === scope && last.weight < MAX_OPS_PER_FRAME) this.add(last, op);
    else {
      const list: OpList = { scope, ops: [], weight: 0 };
      this.add(list, op);
      queue.push(list);
    }
    this.pushed();
  }

  /** Push the same op to several peers (`peers`: without this node; the same array for a run of broadcasts, such as a view's peers). */
  pushAll(peers: readonly string[], scope: string, op: Op): void {
    if (peers.length < 2) {
      for (const p of peers) this.push(p, scope, op);
      return;
    }
    const open = this.open;
    if (open !== null && open.peers === peers && open.scope === scope && open.weight < MAX_OPS_PER_FRAME) {
      this.add(open, op);
      this.pushed();
      return;
    }
    const list: Broadcast = { scope, ops: [], weight: 0, peers, bytes: null };
    this.add(list, op);
    for (const p of peers) this.queueOf(p).push(list);
    this.open = list;
    this.pushed();
  }

  /** Drop what is pending for a peer that went away. */
  forget(peer: string): void {
    this.pending.delete(peer);
    this.open = null;
  }

  flush(): void {
    this.scheduled = false;
    this.open = null;
    this.pendingWeight = 0;
    const pending = this.pending;
    this.pending = new Map();
    for (const [peer, queue] of pending) {
      let scope: string | null = null;
      let items: unknown[] = [];
      let weight = 0;
      for (const q of queue) {
        if (scope !== q.scope || weight + q.weight > MAX_OPS_PER_FRAME) {
          if (items.length > 0) this.send(peer, scope!, items);
          scope = q.scope;
          items = [];
          weight = 0;
        }
        const bytes = isBroadcast(q) ? this.encoded(q) : null;
        if (bytes !== null) items.push(bytes);
        else for (const op of q.ops) items.push(op);
        weight += q.weight;
      }
      if (items.length > 0) this.send(peer, scope!, items);
    }
  }

  private send(peer: string, scope: string, items: unknown[]): void {
    if (!this.sendFrame(peer, [scope, items])) this.unsent++;
  }

  /** A broadcast list's bytes, encoded on first use; null when it cannot be encoded (its ops then go as they are). */
  private encoded(list: Broadcast): Uint8Array | null {
    if (list.bytes === null) {
      try {
        list.bytes = this.encode(list.ops);
      } catch {
        this.encodeFailures++;
        list.bytes = false;
      }
    }
    return list.bytes === false ? null : list.bytes;
  }

  private queueOf(peer: string): OpList[] {
    let queue = this.pending.get(peer);
    if (queue === undefined) this.pending.set(peer, (queue = []));
    return queue;
  }

  /** After an op was added: send now when enough is pending, else at the end of the turn. */
  private pushed(): void {
    if (this.pendingWeight >= EARLY_FLUSH_WEIGHT) this.flush();
    else this.schedule();
  }

  private schedule(): void {
    if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(() => this.flush());
    }
  }

  /**
   * Append `op` to a list. JOINs (LEAVEs) of one group in a run of pg ops become one op
   * (`addPg`), and consecutive SETs (CLAIMs) of this node's pids in one view one SETS (CLAIMS)
   * op: a hundred thousand joins or registrations made in one turn travel as a few ops per peer.
   * Order is kept: apart from a run's pg ops, only the last op of the list grows.
   */
  private add(list: OpList, op: Op): void {
    const ops = list.ops;
    if (op[0] === 'join' || op[0] === 'leave') {
      this.addPg(list, op);
      return;
    }
    if (list.pg !== undefined) {
      list.pg.join.clear();
      list.pg.leave.clear();
    }
    list.weight++;
    this.pendingWeight++;
    const last = ops[ops.length - 1];
    if (op[0] === 'claim') {
      const [, req, kind, name, pid, meta, view] = op;
      if (kind !== 'unreg' && pid !== null && pid.node === this.self && pid.creation === this.creation) {
        const item: ClaimItem = [req, kind, name, pid.id, meta];
        if (last !== undefined && last[0] === 'claims' && last[1] === view) (last[3] as ClaimItem[]).push(item);
        else ops.push(['claims', view, this.creation, [item]]);
        return;
      }
    }
    if (op[0] === 'oks') {
      if (last !== undefined && last[0] === 'oks' && last[1] === op[1]) (last[2] as OkItem[]).push(...op[2]);
      else ops.push(['oks', op[1], [...op[2]]]);
      return;
    }
    if (op[0] === 'set') {
      const [, [name, pid, meta, id, at], replaces, view] = op;
      if (pid.node === this.self && pid.creation === this.creation) {
        const item: SetItem = [name, pid.id, meta, id, at, replaces];
        if (last !== undefined && last[0] === 'sets' && last[1] === view) (last[3] as SetItem[]).push(item);
        else ops.push(['sets', view, this.creation, [item]]);
        return;
      }
    }
    ops.push(op);
  }

  /**
   * A JOIN or LEAVE: into the run's op of the same kind and group when no op of the other kind
   * for that group came after it (ops of different groups commute; a pid's joins and leaves of
   * one group keep their order), else a new op.
   */
  private addPg(list: OpList, op: Extract<Op, readonly ['join' | 'leave', ...unknown[]]>): void {
    const [kind, group, pids] = op;
    const pg = (list.pg ??= { join: new Map(), leave: new Map() });
    const same = kind === 'join' ? pg.join : pg.leave;
    const into = same.get(group);
    list.weight += pids.length * PID_WEIGHT;
    this.pendingWeight += pids.length * PID_WEIGHT;
    if (into !== undefined && (into[2] as readonly Pid[]).length + pids.length <= MAX_PIDS_PER_OP) {
      const held = into[2] as Pid[];
      for (let i = 0; i < pids.length; i++) held.push(pids[i]!);
    } else {
      const fresh: Op = [kind, group, [...pids]];
      list.ops.push(fresh);
      list.weight++;
      this.pendingWeight++;
      same.set(group, fresh);
    }
    const other = kind === 'join' ? pg.leave : pg.join;
    if (other.size > 0) other.delete(group);
  }
}
