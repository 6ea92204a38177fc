import { Node } from '@sdnode/core';
import { createEventLog } from '../event-log.js';
import { builtinTypes, watchPeer } from '../builtin-types.js';
import { SeedKeeper } from '../seed-keeper.js';
import { parseCookie, parseEndpoint, parseNodeName } from '../options.js';

export interface StartFlags {
  name: string;
  cookie?: string;
  listen: string;
  advertise?: string;
  seed: Record<string, string>;
  connect: string[];
  hidden: boolean;
  tick?: number;
  json: boolean;
  watch: boolean;
  logLevel?: string;
}

/**
 * `sdnode start`: run a node in the foreground until SIGINT/SIGTERM. Prints one line when it
 * listens (name and address), then one per nodeup/nodedown (and per watch event with --watch).
 */
export async function startCommand(flags: StartFlags): Promise<void> {
  const listen = parseEndpoint('--listen', flags.listen);
  const advertise = flags.advertise === undefined ? undefined : parseEndpoint('--advertise', flags.advertise);
  const name = parseNodeName(flags.name, advertise ?? listen);
  const cookie = parseCookie(flags.cookie, process.env);
  const log = createEventLog({ json: flags.json, ...(flags.logLevel ? { level: flags.logLevel } : {}) });

  const node = await Node.start({
    name,
    cookie,
    listen,
    ...(advertise ? { advertise } : {}),
    hidden: flags.hidden,
    seeds: flags.seed,
    ...(flags.tick ? { netTickTime: flags.tick } : {}),
    types: builtinTypes,
    logger: log.logger,
  });
  log.event('listening', { name: node.name, address: node.address, creation: node.creation, hidden: flags.hidden });

  node.on('nodeup', (peer: string) => {
    log.event('nodeup', { node: peer });
    if (flags.watch) {
      node.spawnFn(async (ctx) => {
        try {
          await watchPeer(ctx, peer, log);
        } catch (error) {
          log.event('watch_failed', { node: peer, error: (error as Error).message });
        }
      });
    }
  });
  node.on('nodedown', (peer: string, info: unknown) => log.event('nodedown', { node: peer, ...describe(info) }));

  const seeds = new SeedKeeper(node, [...new Set([...flags.connect, ...Object.keys(flags.seed)])], {
    onAttemptFailed: (seed, error) => log.event('connect_failed', { node: seed, error: error.message }),
  });
  seeds.start();

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.event('stopping', { signal });
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  seeds.stop();
  await node.stop();
  log.event('stopped', { name: node.name });
}

function describe(info: unknown): Record<string, unknown> {
  if (typeof info === 'object' && info !== null && 'reason' in info) {
    const reason = (info as { reason: unknown }).reason;
    return { reason: typeof reason === 'object' && reason !== null && 'kind' in reason ? (reason as { kind: unknown }).kind : reason };
  }
  return {};
}
