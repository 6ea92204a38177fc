import { MemoryNetwork, MemoryTransport } from '@sdnode/transport';
import { Node, type CoreLogger, type NodeOptions, type ProcessContext } from '@sdnode/core';
import type { Pid } from '@sdnode/wire';

/** Wait until `condition` holds, polling on timers; fails with `what` after `timeoutMs`. */
export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Wait until the asynchronous `condition` holds (checked one at a time); fails after `timeoutMs`. */
export async function waitFor(condition: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** One record of the recording logger. */
export interface LogRecord {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly obj: object;
  readonly msg: string | undefined;
}

/** A logger that keeps what is logged (tests assert on it) and prints nothing. */
export function recordingLogger(records: LogRecord[] = []): CoreLogger & { records: LogRecord[] } {
  const at = (level: LogRecord['level']) => (obj: object, msg?: string) => void records.push({ level, obj, msg });
  return { records, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => recordingLogger(records) };
}

/** A local-only node for tests, logging to a recording logger; stop it in afterEach. */
export function localNode(options: Partial<NodeOptions> = {}, name = 'otp@127.0.0.1'): Promise<Node> {
  return Node.start({ name, cookie: 'test', transport: null, logger: recordingLogger(), ...options });
}

/** Nodes `<n>@127.0.0.1` on one MemoryNetwork, encoding every message (as a real link would). */
export async function memoryCluster(
  names: readonly string[],
  options: Partial<NodeOptions> = {},
): Promise<{ network: MemoryNetwork; nodes: Node[]; stop: () => Promise<void> }> {
  const network = new MemoryNetwork();
  const nodes: Node[] = [];
  for (const n of names) {
    const name = `${n}@127.0.0.1`;
    const transport = new MemoryTransport({ network, name, cookie: 'test', encode: true, handshakeTimeout: 500 });
    nodes.push(await Node.start({ name, cookie: 'test', transport, logger: recordingLogger(), ...options }));
  }
  return { network, nodes, stop: async () => void (await Promise.all(nodes.map((x) => x.stop()))) };
}

/** The next message `pick` accepts, within `timeout` ms. */
export function next<T>(ctx: ProcessContext, pick: (m: unknown) => T | undefined, timeout = 3000): Promise<T> {
  return ctx.receive(pick, { timeout });
}

/** Whether the process is alive on `node`. */
export function alive(node: Node, pid: Pid): boolean {
  return node.processInfo(pid) !== undefined;
}

/**
 * A process that records every message it receives, for observing what behaviours send.
 * Returns its pid and the (live) array of messages.
 */
export function recorder(node: Node): { pid: Pid; got: unknown[] } {
  const got: unknown[] = [];
  const pid = node.spawnFn(async (ctx) => {
    for (;;) got.push(await ctx.receive());
  });
  return { pid, got };
}
