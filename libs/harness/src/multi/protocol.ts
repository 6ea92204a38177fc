import type { CarrierName } from '@sdnode/transport';
/**
 * The messages between the harness (the test process) and a multi-mode worker process, over the
 * worker's IPC channel (child_process.fork). Requests carry an id; the worker answers each one
 * once. Everything else the worker says is a node's output line or the end of a node.
 */

/** One node to start in a worker: what `sdnode start` would get as flags, resolved by the harness. */
export interface WorkerNodeSpec {
  /** `name@host`. */
  readonly name: string;
  readonly hidden: boolean;
  /** The endpoint to bind (`tcp://127.0.0.x:0`: a port from the OS; a restart passes the previous address). */
  readonly listen: string;
  /** Seed name -> address (the harness's seeds; added to a cluster file's). */
  readonly seeds: Readonly<Record<string, string>>;
  readonly cookie: string;
  readonly netTickTime: number;
  /** The user's module (absolute path): types, functions, setup; applications are refused. */
  readonly module?: string;
  /** A cluster file the node starts from (its groups, registry settings, placement, attributes). */
  readonly config?: string;
  /** Run placement on a visible node, as `sdnode start` does (default true). */
  readonly placement: boolean;
  /** Which runtime log lines go to the node's log: `warn` (default) or `info`. */
  readonly logLevel: 'info' | 'warn';
  /** The carrier when the cluster file names none for the node (absent: the runtime's default). */
  readonly carrier?: CarrierName;
}

export type WorkerRequest =
  | { readonly op: 'start'; readonly id: number; readonly spec: WorkerNodeSpec }
  /** Drop every connection without a word (as SIGKILL would), then discard the node. */
  | { readonly op: 'kill'; readonly id: number; readonly name: string }
  /** Graceful stop: `node.stop()` (processes exit `shutdown`, connections close). */
  | { readonly op: 'stop'; readonly id: number; readonly name: string }
  /** The worker's process: pid, memory, nodes. */
  | { readonly op: 'info'; readonly id: number };

/** A started node, as the worker reports it. */
export interface StartedNode {
  readonly address: string;
  readonly creation: number;
}

/** What `info` answers. */
export interface WorkerInfo {
  readonly pid: number;
  readonly nodes: readonly string[];
  readonly memory: NodeJS.MemoryUsage;
}

export type WorkerReply =
  | { readonly t: 'reply'; readonly id: number; readonly ok: true; readonly value?: unknown }
  | { readonly t: 'reply'; readonly id: number; readonly ok: false; readonly error: { readonly name: string; readonly message: string; readonly code?: string } };

export type WorkerMessage =
  | WorkerReply
  /** The worker is ready for requests. */
  | { readonly t: 'ready'; readonly pid: number }
  /** One line of a node's output (a JSON event line, as `sdnode start --json` prints). */
  | { readonly t: 'line'; readonly node: string; readonly line: string }
  /** A node's incarnation ended (killed, stopped, or taken down by itself). */
  | { readonly t: 'ended'; readonly node: string; readonly status: string };
