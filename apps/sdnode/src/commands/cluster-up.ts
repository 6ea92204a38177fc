import { loadClusterConfig } from '@sdnode/config';
import { Cluster, clusterOptionsFromConfig, type ClusterMode, type ClusterOptions, type NodeEvent } from '@sdnode/harness';
import { InvalidArgumentError } from '@sdnode/wire';

export interface ClusterUpFlags {
  containers: boolean;
  nodes?: number;
  module?: string;
  cookie?: string;
  tick?: number;
  json: boolean;
  timeout: number;
}

/** What `cluster up` prints; the events it passes on as they happen. */
const LIVE_EVENTS = new Set(['nodeup', 'nodedown', 'watching', 'echo', 'down', 'watch_failed', 'connect_failed', 'stopping', 'stopped']);

function parseCount(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 500) throw new InvalidArgumentError('--nodes', `expected a number of nodes from 1 to 500, got "${value}"`);
  return n;
}

export { parseCount as parseNodeCount };

/**
 * `sdnode cluster up [FILE] [--containers]`: start a cluster in the foreground with the test
 * harness (local processes on loopback, or containers), print its nodes once they are meshed,
 * then every node's events as they happen; Ctrl-C (SIGINT or SIGTERM) stops everything it started.
 */
export async function clusterUpCommand(file: string | undefined, flags: ClusterUpFlags, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const mode: ClusterMode = flags.containers ? 'containers' : 'local';
  const fromFile: Partial<ClusterOptions> = file === undefined ? {} : clusterOptionsFromConfig(await loadClusterConfig(file), mode);
  if (file !== undefined && flags.nodes !== undefined) throw new InvalidArgumentError('--nodes', 'give either a configuration file or --nodes, not both');
  const stopping = new AbortController();
  const onSignal = (): void => stopping.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const print = (line: Record<string, unknown>, text: string): void => {
    out.write(flags.json ? `${JSON.stringify(line)}\n` : `${text}\n`);
  };
  let cluster: Cluster | undefined;
  try {
    cluster = await Cluster.start({
      mode,
      ...fromFile,
      ...(flags.nodes !== undefined ? { nodes: flags.nodes } : {}),
      ...(flags.cookie !== undefined ? { cookie: flags.cookie } : {}),
      ...(flags.tick !== undefined ? { netTickTime: flags.tick } : {}),
      ...(flags.module !== undefined ? { module: flags.module } : {}),
      timeout: flags.timeout,
      signal: stopping.signal,
      report: (text) => err.write(`${text}\n`),
    });
    const c = cluster;
    print({ event: 'cluster_up', mode, cookie: c.cookie, nodes: c.names() }, `cluster up (${mode}), cookie ${c.cookie}:`);
    for (const n of c.nodes) {
      const inst = n.instance!;
      print(
        { event: 'node', node: n.name, address: inst.dialAddress, where: inst.where, hidden: n.hidden },
        `  ${n.name}${n.hidden ? ' (hidden)' : ''}  ${inst.dialAddress}  ${inst.where}`,
      );
    }
    print({ event: 'ready' }, 'events follow; Ctrl-C stops the cluster');
    const unsubscribe = c.nodes.map((n) =>
      n.log.subscribe((e: NodeEvent) => {
        if (!LIVE_EVENTS.has(e.event)) return;
        const { level: _level, time: _time, event, ...fields } = e as NodeEvent & { level?: unknown; time?: unknown };
        const rest = Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
        print({ at: n.name, event, ...fields }, `${n.shortName}: ${event} ${rest.join(' ')}`);
      }),
    );
    if (!stopping.signal.aborted) await new Promise((resolve) => stopping.signal.addEventListener('abort', resolve, { once: true }));
    for (const stop of unsubscribe) stop();
    print({ event: 'stopping' }, 'stopping the cluster');
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cluster?.close();
  }
}
