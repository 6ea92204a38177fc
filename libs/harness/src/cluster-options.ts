import { InvalidArgumentError, isValidNodeName } from '@sdnode/wire';
import type { ResolvedNode } from './backend.js';
import type { LocalBackendOptions } from './local/local-backend.js';
import type { ContainerBackendOptions } from './containers/container-options.js';
import type { MultiBackendOptions } from './multi/multi-backend.js';

/** `local`: a node per OS process; `containers`: a node per container; `multi`: many nodes per OS process (multi/). */
export type ClusterMode = 'local' | 'containers' | 'multi';

/** One node of a cluster. */
export interface NodeSpec {
  /** `n1` (the harness picks the host: a loopback address, or the container's alias) or `n1@host`. */
  readonly name: string;
  /** A hidden node: connects without joining the transitive mesh. */
  readonly hidden?: boolean;
  /** Nodes (short or full names) to connect to at start; default: the cluster's `seeds` rule. */
  readonly seeds?: readonly string[];
  /** More `sdnode start` flags for this node (e.g. `['--watch']`). */
  readonly args?: readonly string[];
  /** Local mode: the endpoint to bind, `tcp://HOST:PORT` (default: port 0 on the node's host, from the OS). */
  readonly listen?: string;
}

export interface ClusterOptions {
  /** `local` (OS processes on loopback, the default), `containers`, or `multi` (many nodes per OS process) (default: $SDNODE_HARNESS_MODE, else local). */
  readonly mode?: ClusterMode;
  /** A number of nodes (`n1`..`nN`) or their specs (default 3). */
  readonly nodes?: number | readonly (string | NodeSpec)[];
  /** The cluster's cookie (default: random). */
  readonly cookie?: string;
  /** Your ES module exporting `types`, `functions` and `applications`, loaded by every node (`sdnode start --module`). */
  readonly module?: string;
  /**
   * A cluster configuration file every node starts from (`sdnode start --config FILE --node NAME`
   * instead of `--name NAME`), for what the file alone says, such as distributed applications.
   * The nodes' names must be the file's (`clusterOptionsFromConfig` gives them); the harness's
   * listen address, tick time and seeds still apply, and the cookie is the cluster's.
   */
  readonly config?: string;
  /** Net tick time of every node in ms (default 10000); shorter makes a frozen node noticed sooner. */
  readonly netTickTime?: number;
  /** Who seeds whom when a spec does not say: every node the first visible one (default), or nobody. */
  readonly seeds?: 'first' | 'none';
  /** More `sdnode start` flags for every node. */
  readonly args?: readonly string[];
  /** Resolve `start` only once the visible nodes form a full mesh, or with s_groups the mesh of each group and of the free nodes (default true). */
  readonly waitForMesh?: boolean;
  /** Default deadline in ms for starting a node, meshing, rpc and waits (default 30000). */
  readonly timeout?: number;
  /** Also write each node's output to `<logDir>/<node>.log`. */
  readonly logDir?: string;
  /** Where state reports go (default: console.error). */
  readonly report?: (text: string) => void;
  readonly signal?: AbortSignal;
  /** Local mode settings. */
  readonly local?: LocalBackendOptions;
  /** Container mode settings. */
  readonly containers?: ContainerBackendOptions;
  /** Multi mode settings (nodes per worker process, ...). */
  readonly multi?: MultiBackendOptions;
}

/** The part before `@`. */
export function shortNameOf(name: string): string {
  const at = name.indexOf('@');
  return at < 0 ? name : name.slice(0, at);
}

function specsOf(nodes: ClusterOptions['nodes']): NodeSpec[] {
  const given = nodes ?? 3;
  if (typeof given === 'number') {
    if (!Number.isInteger(given) || given < 1) throw new InvalidArgumentError('nodes', `expected a positive integer, got ${given}`);
    return Array.from({ length: given }, (_, i) => ({ name: `n${i + 1}` }));
  }
  if (given.length === 0) throw new InvalidArgumentError('nodes', 'at least one node is needed');
  return given.map((s) => (typeof s === 'string' ? { name: s } : s));
}

/**
 * Turn the options' node list into fully named nodes: a short name gets the host `hostFor`
 * gives it; seeds name nodes of the cluster; by default every node seeds the first visible node.
 */
export function resolveNodes(
  options: ClusterOptions,
  hostFor: (shortName: string, index: number) => string,
  existing: readonly string[] = [],
): ResolvedNode[] {
  const specs = specsOf(options.nodes);
  const named = specs.map((spec, i) => {
    if (!/^[A-Za-z0-9_.-]+(@[A-Za-z0-9_.-]+)?$/.test(spec.name)) throw new InvalidArgumentError('nodes', `"${spec.name}" is not a node name`);
    const name = spec.name.includes('@') ? spec.name : `${spec.name}@${hostFor(spec.name, i)}`;
    if (!isValidNodeName(name)) throw new InvalidArgumentError('nodes', `"${name}" is not a node name`);
    return { spec, name };
  });
  const byName = new Map<string, string>();
  for (const name of existing) {
    byName.set(name, name);
    byName.set(shortNameOf(name), name);
  }
  for (const { name } of named) {
    const short = shortNameOf(name);
    if (byName.has(name) || byName.has(short)) throw new InvalidArgumentError('nodes', `"${name}" appears twice`);
    byName.set(name, name);
    byName.set(short, name);
  }
  const first = named.find((n) => n.spec.hidden !== true)?.name;
  return named.map(({ spec, name }) => {
    const seedNames =
      spec.seeds?.map((s) => {
        const full = byName.get(s);
        if (full === undefined) throw new InvalidArgumentError('seeds', `${name} names ${s}, which is not a node of this cluster`);
        return full;
      }) ?? (options.seeds === 'none' || first === undefined || first === name ? [] : [first]);
    return {
      name,
      shortName: shortNameOf(name),
      host: name.slice(name.indexOf('@') + 1),
      hidden: spec.hidden === true,
      seeds: seedNames.filter((s) => s !== name),
      args: [...(options.args ?? []), ...(spec.args ?? [])],
      ...(spec.listen !== undefined ? { listen: spec.listen } : {}),
    };
  });
}

/**
 * Start order: waves of nodes whose seeds are all in earlier waves (local nodes learn their
 * ports only when they bind, so a node starts after its seeds). Throws on a seed cycle.
 */
export function startWaves(nodes: readonly ResolvedNode[], known: ReadonlySet<string> = new Set()): ResolvedNode[][] {
  const started = new Set(known);
  const waves: ResolvedNode[][] = [];
  let left = [...nodes];
  while (left.length > 0) {
    const wave = left.filter((n) => n.seeds.every((s) => started.has(s)));
    if (wave.length === 0) throw new InvalidArgumentError('seeds', `the seeds of ${left.map((n) => n.name).join(', ')} form a cycle`);
    for (const n of wave) started.add(n.name);
    waves.push(wave);
    left = left.filter((n) => !wave.includes(n));
  }
  return waves;
}
