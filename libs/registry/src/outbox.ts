import type { Op } from './ops.js';

/** Sends one CONTROL frame body to a peer; false when it could not be queued. */
export type ControlSender = (peer: string, body: unknown) => boolean;

/** Ops per CONTROL frame: a frame stays far below the transport's batch limit. */
export const MAX_OPS_PER_FRAME = 512;
/** Pids per coalesced JOIN / LEAVE op. */
const MAX_PIDS_PER_OP = 4096;

/**
 * Batches the registry's ops per peer and scope, and sends them at the end of the current
 * macrotask (process.nextTick) as CONTROL frames `[scope, [op, ...]]`, in the order they were
 * pushed. A thousand registrations made in one turn leave as two frames per peer, not a thousand.
 *
 * Order matters to the protocol (a node's syncs must precede its VIEW report), and holds: every
 * op of the registry to a peer goes through here, and frames to one peer leave in push order.
 */
export class Outbox {
  private pending = new Map<string, Array<[scope: string, ops: Op[]]>>();
  private scheduled = false;
  /** Frames that could not be queued (no connection). */
  unsent = 0;

  constructor(private readonly sendFrame: ControlSender) {}

  push(peer: string, scope: string, op: Op): void {
    let frames = this.pending.get(peer);
    if (frames === undefined) this.pending.set(peer, (frames = []));
    const last = frames[frames.length - 1];
    if (last !== undefined && last[0] === scope && last[1].length < MAX_OPS_PER_FRAME) {
      if (!this.coalesce(last[1], op)) last[1].push(op);
    } else {
      frames.push([scope, [op.length === 3 && (op[0] === 'join' || op[0] === 'leave') ? [op[0], op[1], [...op[2]]] : op]]);
    }
    if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(() => this.flush());
    }
  }

  /**
   * Consecutive JOINs (or LEAVEs) of one group become one op: a hundred thousand joins made in one
   * turn travel as a few ops per peer, not a hundred thousand. Order is kept: only the last op of
   * the frame grows.
   */
  private coalesce(ops: Op[], op: Op): boolean {
    if (op[0] !== 'join' && op[0] !== 'leave') {
      return false;
    }
    const last = ops[ops.length - 1];
    if (last === undefined || last[0] !== op[0] || last[1] !== op[1] || (last[2] as readonly unknown[]).length >= MAX_PIDS_PER_OP) {
      ops.push([op[0], op[1], [...op[2]]]);
      return true;
    }
    (last[2] as unknown[]).push(...op[2]);
    return true;
  }

  /** Push the same op to several peers. */
  pushAll(peers: Iterable<string>, scope: string, op: Op): void {
    for (const p of peers) this.push(p, scope, op);
  }

  /** Drop what is pending for a peer that went away. */
  forget(peer: string): void {
    this.pending.delete(peer);
  }

  flush(): void {
    this.scheduled = false;
    const pending = this.pending;
    this.pending = new Map();
    for (const [peer, frames] of pending) {
      for (const frame of frames) {
        if (!this.sendFrame(peer, frame)) this.unsent++;
      }
    }
  }
}
