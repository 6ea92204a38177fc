import type { Node } from '@sdnode/core';
import { ObserveFunctions, connectionsOf, type ObserveSummary, type ObservedProcess, type ObservedProcessInfo } from '@sdnode/harness';
import { Sys, type StatusReport } from '@sdnode/otp';
import { InvalidArgumentError, SdnodeError, UnknownFunctionError, parsePid } from '@sdnode/wire';

/** How long one request to one node may take, and what may cancel it. */
export interface AskOptions {
  readonly timeout: number;
  readonly signal?: AbortSignal;
}

/** A process with its Sys status: `sys` null when it runs no OTP behaviour (`sysError` says why, when asking failed). */
export interface ProcessDetails {
  readonly info: ObservedProcessInfo;
  readonly sys: StatusReport | null;
  readonly sysError: string | null;
}

/**
 * Where the gatherer and the page's requests get a node's state: the real one asks the nodes
 * through the observer's hidden node (ClusterRpcSource); tests give fakes.
 */
export interface ClusterSource {
  /** The observer's own node name (left out of the picture). */
  readonly self: string;
  /** The nodes the observer is connected to now (its own view). */
  connected(): string[];
  /** Connect if need be (at `address` when known), then ask the node for its summary. */
  summary(node: string, address: string | null, options: AskOptions): Promise<ObserveSummary>;
  /** The node's processes, longest mailboxes first. */
  processes(node: string, limit: number, options: AskOptions): Promise<{ total: number; processes: ObservedProcess[] }>;
  /** One process, and its Sys status when it runs an OTP behaviour. */
  process(node: string, pid: string, options: AskOptions): Promise<ProcessDetails | null>;
}

/** A node answered something the observer cannot show (an older node without the observe functions has less). */
export class ObserveUnsupportedError extends Error {
  override readonly name = 'ObserveUnsupportedError';
  constructor(
    readonly node: string,
    what: string,
  ) {
    super(`${node} does not tell ${what} (it has no ${ObserveFunctions.summary}: an sdnode node started by another tool, or an older one)`);
  }
}

/** The message of any error, with the typed error's code when there is one. */
export function errorText(error: unknown): string {
  if (error instanceof SdnodeError) return `${error.message} (${error.code})`;
  if (error instanceof Error) return `${error.message}${error.name !== 'Error' ? ` (${error.name})` : ''}`;
  return String(error);
}

interface CoreInfo {
  name: string;
  creation: number;
  address: string | null;
  hidden: boolean;
  processCount: number;
  nodes: string[];
  hiddenNodes: string[];
}

/** What a node without the observe functions tells through the core's `sdnode.info`. */
function fromCoreInfo(info: CoreInfo): ObserveSummary {
  return {
    name: info.name,
    creation: info.creation,
    address: info.address,
    hidden: info.hidden,
    ...(info.hidden ? { kind: 'hidden' } : {}),
    connections: { visible: [...info.nodes].sort(), pointToPoint: [], hidden: [...info.hiddenNodes].sort() },
    addresses: {},
    groups: [],
    unreachable: [],
    processCount: info.processCount,
    load: { elu: 0, runQueue: 0, rssMiB: 0, heapUsedMiB: 0 },
    mailboxes: [],
    names: [],
  };
}

/** The real source: rpc from the observer's hidden node (connections to it propagate nothing). */
export class ClusterRpcSource implements ClusterSource {
  constructor(
    private readonly node: Node,
    private readonly options: { readonly mailboxes: number; readonly names: number } = { mailboxes: 5, names: 50 },
  ) {}

  get self(): string {
    return this.node.name;
  }

  connected(): string[] {
    const c = connectionsOf(this.node);
    return [...c.visible, ...c.pointToPoint, ...c.hidden];
  }

  private async ensureConnected(node: string, address: string | null, options: AskOptions): Promise<void> {
    if (this.node.nodes({ hidden: true, all: true }).includes(node)) return;
    await this.node.connect(node, { ...(address !== null ? { address } : {}), timeout: options.timeout, ...(options.signal !== undefined ? { signal: options.signal } : {}) });
  }

  async summary(node: string, address: string | null, options: AskOptions): Promise<ObserveSummary> {
    const started = Date.now();
    await this.ensureConnected(node, address, options);
    const rpc = { timeout: Math.max(1, options.timeout - (Date.now() - started)), ...(options.signal !== undefined ? { signal: options.signal } : {}) };
    try {
      return await this.node.rpc<ObserveSummary>(node, ObserveFunctions.summary, [{ mailboxes: this.options.mailboxes, names: this.options.names }], rpc);
    } catch (error) {
      if (!(error instanceof UnknownFunctionError)) throw error;
      return fromCoreInfo(await this.node.rpc<CoreInfo>(node, 'sdnode.info', [], rpc));
    }
  }

  async processes(node: string, limit: number, options: AskOptions): Promise<{ total: number; processes: ObservedProcess[] }> {
    await this.ensureConnected(node, null, options);
    try {
      return await this.node.rpc(node, ObserveFunctions.processes, [limit], options);
    } catch (error) {
      if (error instanceof UnknownFunctionError) throw new ObserveUnsupportedError(node, 'its processes');
      throw error;
    }
  }

  async process(node: string, pid: string, options: AskOptions): Promise<ProcessDetails | null> {
    const parsed = parsePid(pid);
    if (parsed === undefined || parsed.node !== node) throw new InvalidArgumentError('pid', `expected a pid of ${node}, <node.id.creation>; got ${pid}`);
    await this.ensureConnected(node, null, options);
    let info: ObservedProcessInfo | null;
    try {
      info = await this.node.rpc<ObservedProcessInfo | null>(node, ObserveFunctions.process, [pid], options);
    } catch (error) {
      if (error instanceof UnknownFunctionError) throw new ObserveUnsupportedError(node, 'its processes');
      throw error;
    }
    if (info === null) return null;
    // Only OTP behaviour processes answer system requests: a plain process would get a message it does not expect.
    if (info.behaviour === null) return { info, sys: null, sysError: null };
    try {
      return { info, sys: await Sys.getStatus(this.node, parsed, { timeout: options.timeout }), sysError: null };
    } catch (error) {
      return { info, sys: null, sysError: errorText(error) };
    }
  }
}
