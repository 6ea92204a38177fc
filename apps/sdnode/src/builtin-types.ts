import { defineProcess, isDown, type ProcessContext } from '@sdnode/core';
import { formatExitReason, isPid, type Pid } from '@sdnode/wire';
import type { EventLog } from './event-log.js';

/** A message for `sdnode.echo`: the echo process sends `{ echo: payload }` back to `from`. */
export interface EchoRequest {
  readonly from: Pid;
  readonly payload: unknown;
}

function isEchoRequest(msg: unknown): msg is EchoRequest {
  return typeof msg === 'object' && msg !== null && isPid((msg as { from?: unknown }).from) && 'payload' in msg;
}

/** Replies to every `{from, payload}` with `{echo: payload}`. Defined on every CLI node. */
export const EchoProcess = defineProcess('sdnode.echo', {
  init: () => 0,
  handle(ctx: ProcessContext, msg: unknown, count: number) {
    if (isEchoRequest(msg)) ctx.send(msg.from, { echo: msg.payload });
    return count + 1;
  },
});

export const builtinTypes = [EchoProcess];

/**
 * `--watch`: on every visible nodeup, spawn an echo process on the peer, monitor it, exchange one
 * message with it, and report the monitor's DOWN (e.g. `noconnection` when the peer is killed).
 * Makes the distribution observable from the outside (the container e2e tests read these lines).
 */
export async function watchPeer(ctx: ProcessContext, peer: string, log: EventLog): Promise<void> {
  const echo = await ctx.spawnRemote(peer, EchoProcess.name, [], { timeout: 10_000 });
  const ref = ctx.monitor(echo);
  log.event('watching', { node: peer, pid: echo.toString() });
  ctx.send(echo, { from: ctx.self, payload: `hello from ${ctx.self.node}` });
  const reply = await ctx.receive((m) => (typeof m === 'object' && m !== null && 'echo' in m ? m : undefined), { timeout: 10_000 });
  log.event('echo', { node: peer, reply: (reply as { echo: unknown }).echo });
  const down = await ctx.receive((m) => (isDown(m) && m.ref.equals(ref) ? m : undefined));
  log.event('down', { node: peer, pid: echo.toString(), reason: down.reason.kind, detail: formatExitReason(down.reason) });
}
