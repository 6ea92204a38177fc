import { NodeProcess, type NodeEvent } from './node-process.js';

/**
 * A handful of `sdnode start` processes on loopback for multi-node tests: starts them, waits for
 * events with deadlines, prints every node's state when asked (on test failure), stops them all.
 */
export class LocalCluster {
  private readonly nodes = new Map<string, NodeProcess>();

  constructor(readonly cookie: string) {}

  /** Start a node and wait for its listening line; resolves with its address. */
  async start(name: string, extraArgs: readonly string[] = [], timeoutMs = 15_000): Promise<NodeProcess> {
    const node = NodeProcess.start(name, this.cookie, extraArgs);
    this.nodes.set(name, node);
    await node.address(timeoutMs);
    return node;
  }

  node(name: string): NodeProcess {
    const node = this.nodes.get(name);
    if (!node) throw new Error(`no node ${name} in this cluster (have: ${[...this.nodes.keys()].join(', ')})`);
    return node;
  }

  async address(name: string): Promise<string> {
    return this.node(name).address();
  }

  /** Wait until `name` has logged an event matching `match`. */
  waitFor(name: string, match: (e: NodeEvent) => boolean, timeoutMs: number, what: string): Promise<NodeEvent> {
    return this.node(name).waitFor(match, timeoutMs, what);
  }

  waitForNodeup(name: string, peer: string, timeoutMs = 15_000): Promise<NodeEvent> {
    return this.waitFor(name, (e) => e.event === 'nodeup' && e['node'] === peer, timeoutMs, `nodeup of ${peer}`);
  }

  waitForNodedown(name: string, peer: string, timeoutMs = 15_000): Promise<NodeEvent> {
    return this.waitFor(name, (e) => e.event === 'nodedown' && e['node'] === peer, timeoutMs, `nodedown of ${peer}`);
  }

  /** Every node's events and stderr tail. */
  dump(): string {
    return [...this.nodes.values()].map((n) => n.dump()).join('\n');
  }

  async stopAll(): Promise<void> {
    for (const n of this.nodes.values()) n.signal('SIGCONT'); // a frozen node cannot handle SIGTERM
    await Promise.all([...this.nodes.values()].map((n) => n.stop()));
    this.nodes.clear();
  }
}
