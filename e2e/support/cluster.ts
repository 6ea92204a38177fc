// A set of node containers on one user-defined Docker network (so containers
// find each other by name: a node `a@alpha` gets the network alias `alpha`).
// Starts `sdnode start --json` nodes (or any command of the image, for smoke
// tests), collects every container's output, and removes everything it made.
import './env.js';
import { randomBytes } from 'node:crypto';
import { GenericContainer, Network, type StartedNetwork } from 'testcontainers';
import { E2E_LABEL, OWNER_LABEL } from './env.js';
import { NodeLog } from '@sdnode/harness';
import { DEFAULT_EVENT_TIMEOUT_MS, NodeContainer } from './node-container.js';

/** The port every node listens on inside its own container. */
export const NODE_PORT = 4370;

export interface NodeSpec {
  /** `name@host`; `host` becomes the container's network alias. */
  readonly name: string;
  /** Node names to connect to at start (`--seed NAME=tcp://HOST:4370`). */
  readonly seeds?: readonly string[];
  /** More `sdnode start` flags, e.g. ['--watch', '--tick', '2s']. */
  readonly args?: readonly string[];
  /** Deadline for the `listening` line. */
  readonly startTimeoutMs?: number;
}

export interface ProcessSpec {
  /** Network alias, and the label in logs. */
  readonly alias: string;
  readonly entrypoint: readonly string[];
  readonly command: readonly string[];
}

export function hostOf(nodeName: string): string {
  const at = nodeName.lastIndexOf('@');
  if (at <= 0 || at === nodeName.length - 1) throw new Error(`"${nodeName}" is not a node name (name@host)`);
  return nodeName.slice(at + 1);
}

export const nodeAddress = (nodeName: string): string => `tcp://${hostOf(nodeName)}:${NODE_PORT}`;

export class ContainerCluster {
  readonly cookie = randomBytes(12).toString('hex');
  private readonly members: NodeContainer[] = [];
  private readonly collectors: NodeLog[] = [];

  private constructor(
    readonly image: string,
    private readonly ownerPid: number,
    readonly network: StartedNetwork,
  ) {}

  static async start(image: string, ownerPid: number): Promise<ContainerCluster> {
    return new ContainerCluster(image, ownerPid, await new Network().start());
  }

  /** `sdnode start --json ...`; resolves once the node has logged `listening`. */
  async startNode(spec: NodeSpec): Promise<NodeContainer> {
    const host = hostOf(spec.name);
    const command = [
      'start',
      '--name', spec.name,
      '--cookie', this.cookie,
      '--listen', `tcp://0.0.0.0:${NODE_PORT}`,
      '--advertise', nodeAddress(spec.name),
      '--json',
      ...(spec.seeds ?? []).flatMap((seed) => ['--seed', `${seed}=${nodeAddress(seed)}`]),
      ...(spec.args ?? []),
    ];
    const node = await this.run(spec.name, host, new GenericContainer(this.image).withCommand(command));
    await node.waitForEvent('listening', {}, spec.startTimeoutMs ?? DEFAULT_EVENT_TIMEOUT_MS);
    return node;
  }

  /** Any program of the image (e.g. an e2e/fixtures script with node). */
  async startProcess(spec: ProcessSpec): Promise<NodeContainer> {
    const container = new GenericContainer(this.image).withEntrypoint([...spec.entrypoint]).withCommand([...spec.command]);
    return this.run(spec.alias, spec.alias, container);
  }

  node(name: string): NodeContainer {
    const found = this.members.find((m) => m.name === name);
    if (!found) throw new Error(`no container ${name} in this cluster (have: ${this.members.map((m) => m.name).join(', ')})`);
    return found;
  }

  /** Every container's whole output, for a failed test. */
  dumpLogs(): string {
    return this.collectors.map((c) => c.dump()).join('\n');
  }

  /** Remove every container (SIGKILL) and the network; reports all failures together. */
  async stop(): Promise<void> {
    const results = await Promise.allSettled(this.members.map((m) => m.remove()));
    this.members.length = 0;
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    try {
      await this.network.stop();
    } catch (error) {
      errors.push(error);
    }
    if (errors.length > 0) throw new AggregateError(errors, `cleaning up the e2e cluster failed (${errors.length} error(s))`);
  }

  private async run(name: string, alias: string, container: GenericContainer): Promise<NodeContainer> {
    const log = new NodeLog(name);
    log.beginInstance('container');
    this.collectors.push(log);
    const started = await container
      .withNetwork(this.network)
      .withNetworkAliases(alias)
      .withName(`sdnode-e2e-${alias}-${randomBytes(4).toString('hex')}`)
      .withLabels({ [E2E_LABEL]: 'true', [OWNER_LABEL]: String(this.ownerPid) })
      .withLogConsumer((stream) => {
        log.follow(stream);
        stream.once('end', () => log.end('container stopped'));
        stream.once('close', () => log.end('container stopped'));
      })
      .withStartupTimeout(DEFAULT_EVENT_TIMEOUT_MS)
      .start();
    const member = new NodeContainer(name, alias, started, log);
    this.members.push(member);
    return member;
  }
}
