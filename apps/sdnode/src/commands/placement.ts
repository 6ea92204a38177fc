import { UnknownNodeError, findNode, loadClusterConfig, resolveCookie, resolveCurveKeys, type ClusterConfig, type NodeConfig } from '@sdnode/config';
import type { Node } from '@sdnode/core';
import { PlacementFunctions, type Explanation, type PlacementInfo, type PlacementSpec } from '@sdnode/placement';
import { InvalidArgumentError, RemoteCallError, UnknownFunctionError } from '@sdnode/wire';
import { parseCookie, parseEndpoint, parseNodeName } from '../options.js';
import { formatExplanation, formatNodes, type NodeView } from './placement-output.js';
import { withHiddenNode, type RemoteQuery } from './remote-query.js';
import { curveFromFlags, type CurveFlags } from './curve-options.js';

/** The flags of `sdnode placement ...`: which node to ask, and how. */
export interface PlacementFlags extends CurveFlags {
  /** `tcp://HOST:PORT`, or (with --config) the name of a node of the file whose address it gives. */
  at: string;
  /** The node asked when --at is an endpoint (a bare name takes the host of --at). */
  on?: string;
  /** A cluster file: its policies, its cookie, where its nodes listen. */
  config?: string;
  cookie?: string;
  listen: string;
  timeout: number;
  json: boolean;
}

export interface PlacementExplainFlags extends PlacementFlags {
  /** An inline spec (JSON), instead of a policy name. */
  spec?: string;
}

export interface PlacementIo {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
}

/** Exit codes, as the CLI's (cli.ts): 1 the operation failed, 2 bad usage. */
const FAILED = 1;
const USAGE = 2;

const ENDPOINT = /^tcp:\/\//;

/** The node to ask and how to reach it, from --at (an endpoint, or a node of --config), --on and the cookie flags. */
export async function placementTarget(flags: PlacementFlags, env: NodeJS.ProcessEnv = process.env): Promise<{ query: RemoteQuery; config: ClusterConfig | undefined }> {
  const config = flags.config === undefined ? undefined : await loadClusterConfig(flags.config);
  const listen = parseEndpoint('--listen', flags.listen);
  // As `sdnode start --config`: --cookie, else the file's cookie; without a file --cookie or $SDNODE_COOKIE.
  const cookie = flags.cookie ?? (config !== undefined ? resolveCookie(config.cookie, { env }) : parseCookie(undefined, env));
  // The CURVE keys likewise: the flags, else the file's `curve`; without a file the flags or $SDNODE_CURVE_*.
  const curve = curveFromFlags(flags, env, { useEnv: config === undefined }) ?? (config?.curve !== undefined ? resolveCurveKeys(config.curve, { env }) : undefined);
  let target: string;
  let address: string;
  if (ENDPOINT.test(flags.at)) {
    address = parseEndpoint('--at', flags.at);
    const on = flags.on ?? config?.nodes.find((n) => n.advertise === address)?.name;
    if (on === undefined) throw new InvalidArgumentError('--on', `required with --at ENDPOINT: the name of the node listening at ${address}${config !== undefined ? ' (no node of the file advertises it)' : ''}`);
    try {
      target = parseNodeName(on, address);
    } catch {
      throw new InvalidArgumentError('--on', `"${on}" is not a node name (name@host, or a bare name on the host of --at)`);
    }
  } else {
    if (config === undefined) throw new InvalidArgumentError('--at', `expected tcp://HOST:PORT, or a node name with --config FILE; got "${flags.at}"`);
    if (flags.on !== undefined) throw new InvalidArgumentError('--on', 'only with --at tcp://HOST:PORT (--at names the node here)');
    let node: NodeConfig;
    try {
      node = findNode(config, flags.at);
    } catch (error) {
      if (error instanceof UnknownNodeError) throw new InvalidArgumentError('--at', error.message);
      throw error;
    }
    if (node.advertise === null) {
      throw new InvalidArgumentError('--at', `the file does not say where ${node.name} listens (its port comes from the OS): give --at tcp://HOST:PORT --on ${node.name}`);
    }
    target = node.name;
    address = node.advertise;
  }
  return { query: { target, address, listen, cookie, timeout: flags.timeout, ...(curve !== undefined ? { curve } : {}) }, config };
}

/**
 * What the asked node answered, or the exit code after printing why it did not: an error of the
 * node's (its message, e.g. `sdnode: n1@h: n1@h has no placement policy web`; a bad spec or policy
 * exits 2, anything else 1); a node without placement (a hidden one) exits 1. A node that cannot
 * be reached rejects (NodeUnreachableError: the CLI prints it and exits 1).
 */
async function ask<T>(q: RemoteQuery, io: PlacementIo, fn: (node: Node, target: string) => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; code: number }> {
  try {
    return { ok: true, value: await withHiddenNode(q, fn) };
  } catch (error) {
    if (error instanceof UnknownFunctionError) {
      io.err.write(`sdnode: ${q.target} runs no placement (a hidden node runs none)\n`);
      return { ok: false, code: FAILED };
    }
    if (!(error instanceof RemoteCallError)) throw error;
    const inner = error.error;
    io.err.write(`sdnode: ${q.target}: ${inner.message} (${inner.name})\n`);
    return { ok: false, code: ['UnknownPlacementPolicyError', 'InvalidPlacementSpecError', 'InvalidArgumentError'].includes(inner.name) ? USAGE : FAILED };
  }
}

/** The spec to send: the file's policy (so the node need not have it), an inline one, or a name the node resolves. */
function specToSend(policy: string | undefined, flags: PlacementExplainFlags, config: ClusterConfig | undefined): { spec: PlacementSpec | string; policy?: { name: string; source: string } } {
  if (policy !== undefined && flags.spec !== undefined) throw new InvalidArgumentError('--spec', 'give a POLICY or --spec, not both');
  if (flags.spec !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(flags.spec);
    } catch (error) {
      throw new InvalidArgumentError('--spec', `not JSON: ${(error as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidArgumentError('--spec', 'a JSON object, e.g. {"where": {"tier": "worker"}}');
    return { spec: parsed as PlacementSpec };
  }
  if (policy === undefined) throw new InvalidArgumentError('POLICY', 'give a policy name (of --config FILE, or of the node) or --spec JSON');
  if (config === undefined) return { spec: policy, policy: { name: policy, source: 'the node\'s own' } };
  const found = Object.hasOwn(config.placement, policy) ? config.placement[policy] : undefined;
  if (found === undefined) {
    const known = Object.keys(config.placement).sort();
    throw new InvalidArgumentError('POLICY', `${flags.config} has no placement policy "${policy}" (${known.length === 0 ? 'it has none' : `it has: ${known.join(', ')}`})`);
  }
  return { spec: found as PlacementSpec, policy: { name: policy, source: `from ${flags.config}` } };
}

/**
 * `sdnode placement explain [POLICY] --at NODE|ENDPOINT [--on NAME] [--config FILE] [--spec JSON]`:
 * the node asked explains the policy (a policy of the file is sent as its spec, so the node need
 * not have it; without a file, the node's own policy of that name) or the inline spec: every node
 * it knows, excluded by what or eligible with its score, and what it would choose now. Exit 0
 * (also when no node fits: the explanation says why); 2 for an unknown policy or a bad spec.
 */
export async function placementExplainCommand(policy: string | undefined, flags: PlacementExplainFlags, io: PlacementIo): Promise<number> {
  const { query, config } = await placementTarget(flags);
  const { spec, policy: named } = specToSend(policy, flags, config);
  const answer = await ask(query, io, (node, target) => node.rpc<Explanation>(target, PlacementFunctions.explain, [spec], { timeout: query.timeout }));
  if (!answer.ok) return answer.code;
  io.out.write(flags.json ? `${JSON.stringify({ ...(named !== undefined ? { policy: named.name } : {}), ...answer.value })}\n` : formatExplanation(answer.value, named));
  return 0;
}

/** `sdnode placement nodes --at NODE|ENDPOINT`: the node's placement view (attributes, location, load, round trip, age). */
export async function placementNodesCommand(flags: PlacementFlags, io: PlacementIo): Promise<number> {
  const { query } = await placementTarget(flags);
  const answer = await ask(query, io, async (node, target) => {
    const info = await node.rpc<PlacementInfo>(target, PlacementFunctions.info, [], { timeout: query.timeout });
    const nodes = await node.rpc<NodeView[]>(target, PlacementFunctions.nodes, [], { timeout: query.timeout });
    return { info, nodes };
  });
  if (!answer.ok) return answer.code;
  io.out.write(flags.json ? `${JSON.stringify(answer.value)}\n` : formatNodes(answer.value.info, answer.value.nodes));
  return 0;
}
