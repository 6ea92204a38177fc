import { isIP } from 'node:net';
import { resolveCookie, type ClusterConfig } from '@sdnode/config';
import type { ClusterMode, ClusterOptions, NodeSpec } from './cluster-options.js';

/**
 * Cluster options for the nodes of a configuration file (libs/config's ClusterConfig): names,
 * hidden flags, the cookie (resolved from its source) and the net tick time.
 *
 * - Local mode keeps every name; a node whose port is fixed binds its configured endpoint, a
 *   node on port 0 gets one from the OS.
 * - Container mode needs each node's host to be its network alias: a node whose host is an IP
 *   address or `localhost` becomes `name@name`; other host names are kept as aliases.
 *
 * Seeds follow the harness's rule (every node seeds the first visible one), which works with
 * ports from the OS; the file's seeds are not used.
 */
export function clusterOptionsFromConfig(config: ClusterConfig, mode: ClusterMode, env: NodeJS.ProcessEnv = process.env): Pick<ClusterOptions, 'nodes' | 'cookie' | 'netTickTime'> {
  const nodes: NodeSpec[] = config.nodes.map((n) => {
    const at = n.name.indexOf('@');
    const short = n.name.slice(0, at);
    if (mode === 'containers') {
      const host = isIP(n.host) !== 0 || n.host === 'localhost' ? short : n.host;
      return { name: `${short}@${host}`, hidden: n.hidden };
    }
    return { name: n.name, hidden: n.hidden, ...(n.port !== 0 ? { listen: n.listen } : {}) };
  });
  return { nodes, cookie: resolveCookie(config.cookie, { env }), netTickTime: config.netTickTime };
}
