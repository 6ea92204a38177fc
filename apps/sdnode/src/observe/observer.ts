import { Node } from '@sdnode/core';
import type { CurveKeys } from '@sdnode/transport';
import { parseNodeName } from '../options.js';
import { ClusterRpcSource, errorText } from './cluster-source.js';
import { Gatherer, type GathererOptions } from './gatherer.js';
import { ObserveServer } from './http-server.js';
import type { ClusterSnapshot } from './snapshot.js';

export interface ObserverOptions {
  /** The node to start from, and where it listens. */
  readonly target: string;
  readonly address: string;
  /** More nodes known from the start (a cluster file's): name -> address. */
  readonly seeds?: Readonly<Record<string, string>>;
  readonly cookie: string;
  /** The cluster's CurveZMQ keypair, when it runs CURVE. */
  readonly curve?: CurveKeys;
  /** Where the observer's hidden node listens (tcp://HOST:PORT; the nodes must reach it). */
  readonly nodeListen: string;
  /** Where the web server listens. */
  readonly http: { readonly host: string; readonly port: number };
  /** Polling: interval, per-node timeout, forget-after (ms). */
  readonly gatherer?: Partial<GathererOptions>;
}

/** The first node could not be reached: the observer does not start. */
export class ObserveStartError extends Error {
  override readonly name = 'ObserveStartError';
  constructor(target: string, address: string, cause: unknown) {
    super(`cannot reach ${target} at ${address}: ${errorText(cause)}`, { cause });
  }
}

/** A running observer: its hidden node, the gatherer and the web server. */
export interface RunningObserver {
  readonly url: string;
  readonly node: string;
  /** The latest snapshot. */
  snapshot(): ClusterSnapshot;
  close(): Promise<void>;
}

function silentLogger() {
  const noop = () => undefined;
  const logger = { debug: noop, info: noop, warn: noop, error: noop, trace: noop, fatal: noop, child: () => logger, level: 'silent' };
  return logger;
}

/**
 * Start an observer: a hidden node (connections to it propagate nothing, it is in nobody's
 * `nodes()`) that connects to the target (failing here with ObserveStartError when it cannot),
 * gathers the cluster's state from there on, and serves the page and its API.
 */
export async function startObserver(options: ObserverOptions): Promise<RunningObserver> {
  const name = parseNodeName(`sdnode-observe-${process.pid}-${Date.now().toString(36)}`, options.nodeListen);
  const node = await Node.start({ name, cookie: options.cookie, listen: options.nodeListen, hidden: true, ...(options.curve !== undefined ? { curve: options.curve } : {}), logger: silentLogger() });
  try {
    const timeout = options.gatherer?.timeout ?? 2000;
    try {
      await node.connect(options.target, { address: options.address, timeout });
    } catch (error) {
      throw new ObserveStartError(options.target, options.address, error);
    }
    const source = new ClusterRpcSource(node);
    const gatherer = new Gatherer(source, { ...(options.seeds ?? {}), [options.target]: options.address }, options.gatherer ?? {});
    await gatherer.round(AbortSignal.timeout(timeout + 1000));
    const server = await ObserveServer.start(source, () => gatherer.snapshot, { ...options.http, timeout: Math.max(timeout, 5000) });
    gatherer.onSnapshot((s) => server.publish(s));
    gatherer.start();
    return {
      url: server.url,
      node: node.name,
      snapshot: () => gatherer.snapshot,
      close: async () => {
        await gatherer.stop();
        await server.close();
        await node.stop();
      },
    };
  } catch (error) {
    await node.stop();
    throw error;
  }
}
