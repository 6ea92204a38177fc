import { InvalidArgumentError } from '@sdnode/wire';
import { parseEndpoint } from '../options.js';
import { parseHostPort } from '../observe/http-server.js';
import { startObserver, type RunningObserver } from '../observe/observer.js';
import { placementTarget } from './placement.js';
import type { CurveFlags } from './curve-options.js';

/** The flags of `sdnode observe`. */
export interface ObserveFlags extends CurveFlags {
  /** `tcp://HOST:PORT` (then --on), or with --config the name of a node of the file. */
  at: string;
  on?: string;
  config?: string;
  cookie?: string;
  /** The web server's `HOST:PORT`. */
  listen: string;
  /** Where the observer's hidden node listens, `tcp://HOST:PORT`. */
  nodeListen: string;
  /** Poll interval, per-node timeout and forget-after, in ms. */
  interval: number;
  timeout: number;
  forget: number;
  json: boolean;
}

export interface ObserveIo {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
}

/** The shortest interval between polls (and so between updates of the page). */
const MIN_INTERVAL_MS = 200;

/**
 * `sdnode observe --at NODE [--listen HOST:PORT]`: a hidden node connects to NODE, gathers the
 * state of every node it can reach from there (each node's summary: connections by kind,
 * s_groups, load, processes, longest mailboxes, names per scope) and serves a live view of the
 * cluster on `http://HOST:PORT/` until SIGINT/SIGTERM (or `signal`). Prints the page's address
 * (`--json`: one JSON line, `{"event":"observing","url":...}`). Exit 1 when NODE cannot be reached.
 */
export async function observeCommand(flags: ObserveFlags, io: ObserveIo, signal?: AbortSignal): Promise<number> {
  const http = parseHostPort('--listen', flags.listen);
  const nodeListen = parseEndpoint('--node-listen', flags.nodeListen);
  if (flags.interval < MIN_INTERVAL_MS) throw new InvalidArgumentError('--interval', `at least ${MIN_INTERVAL_MS}ms`);
  const { query, config } = await placementTarget({ at: flags.at, ...(flags.on !== undefined ? { on: flags.on } : {}), ...(flags.config !== undefined ? { config: flags.config } : {}), ...(flags.cookie !== undefined ? { cookie: flags.cookie } : {}), ...(flags.curvePublicKey !== undefined ? { curvePublicKey: flags.curvePublicKey } : {}), ...(flags.curveSecretKeyFile !== undefined ? { curveSecretKeyFile: flags.curveSecretKeyFile } : {}), listen: nodeListen, timeout: flags.timeout, json: flags.json });
  // A cluster file tells where its nodes listen: every one of them is observed from the start.
  const seeds: Record<string, string> = {};
  for (const n of config?.nodes ?? []) if (n.advertise !== null && n.name !== query.target) seeds[n.name] = n.advertise;
  const observer: RunningObserver = await startObserver({
    target: query.target,
    address: query.address,
    seeds,
    cookie: query.cookie,
    ...(query.curve !== undefined ? { curve: query.curve } : {}),
    nodeListen,
    http,
    gatherer: { interval: flags.interval, timeout: flags.timeout, forgetAfter: flags.forget },
  });
  const nodes = observer.snapshot().nodes.length;
  if (flags.json) io.out.write(`${JSON.stringify({ event: 'observing', url: observer.url, node: observer.node, target: query.target, nodes })}\n`);
  else io.out.write(`observing ${query.target} (${nodes} node${nodes === 1 ? '' : 's'} so far) at ${observer.url}\nCtrl-C stops.\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      signal?.removeEventListener('abort', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (signal?.aborted === true) stop();
    signal?.addEventListener('abort', stop, { once: true });
  });
  await observer.close();
  if (flags.json) io.out.write(`${JSON.stringify({ event: 'stopped' })}\n`);
  return 0;
}
