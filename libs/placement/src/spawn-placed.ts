import type { Node, ProcessContext } from '@sdnode/core';
import { InvalidArgumentError, NoConnectionError, type Pid, type Ref } from '@sdnode/wire';

/** How a placed process is started, besides where (which placement decides). */
export interface PlacedSpawnOptions {
  /**
   * The process the new one is linked to or monitored by (`link`, `monitor`). Without it the
   * spawn is made by the node, and only `name` applies.
   */
  readonly from?: ProcessContext;
  /** Link the new process to `from`, atomically, before it runs. */
  readonly link?: boolean;
  /** `from` also monitors the new process (the result then carries the ref). */
  readonly monitor?: boolean;
  /** Register the new process under this local name on the node it runs on. */
  readonly name?: string;
  /** Per spawn, default 5000 ms. */
  readonly timeout?: number;
  readonly signal?: AbortSignal;
  /**
   * When the chosen node went away between the choice and the spawn (no connection), choose again
   * without it, this many times (default 2).
   */
  readonly retries?: number;
}

/** A placed process: its pid, the node placement chose, and the monitor ref when asked for. */
export interface Placed {
  readonly pid: Pid;
  readonly node: string;
  readonly ref?: Ref;
}

export function checkSpawnOptions(options: PlacedSpawnOptions): void {
  if ((options.link === true || options.monitor === true) && options.from === undefined) {
    throw new InvalidArgumentError('from', 'link and monitor need the process (from) to link or monitor');
  }
  if (options.retries !== undefined && !(Number.isInteger(options.retries) && options.retries >= 0)) {
    throw new InvalidArgumentError('retries', 'an integer >= 0');
  }
}

/** Spawn `type(args)` on `node` as the options say (one round trip to that node, none when it is this one). */
export async function spawnOn(host: Node, node: string, type: string, args: readonly unknown[], options: PlacedSpawnOptions): Promise<Placed> {
  const common = {
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  };
  const from = options.from;
  if (from === undefined) return { pid: await host.spawnRemote(node, type, args, common), node };
  if (options.monitor === true) {
    const { pid, ref } = await from.spawnRemote(node, type, args, { ...common, link: options.link === true, monitor: true });
    return { pid, node, ref };
  }
  return { pid: await from.spawnRemote(node, type, args, { ...common, link: options.link === true }), node };
}

/** Did a spawn fail because the chosen node is not reachable (so another choice may succeed)? */
export function isUnreachable(e: unknown): boolean {
  return e instanceof NoConnectionError;
}
