import { randomBytes } from 'node:crypto';
import { basename, relative, resolve } from 'node:path';
import type { StartedTestContainer } from 'testcontainers';
import { ContainerRuntimeError, NodeExitedError } from '@sdnode/wire';
import type { ClusterBackend, DriverEndpoint, NodeInstance, PartitionDriver, ResolvedNode, StartRequest } from '../backend.js';
import { nodeIdentityArgs, type LocalBackendContext } from '../local/local-backend.js';
import { ContainerNode } from './container-node.js';
import type { ContainerBackendOptions } from './container-options.js';
import { IptablesPartition } from './iptables-partition.js';
import { ensureNodeImage } from './node-image.js';
import { HARNESS_LABEL, OWNER_LABEL, loadTestcontainers, withDeadline } from './testcontainers.js';

/** The port every node listens on inside its container. */
export const NODE_PORT = 4370;
/** Where the user's module goes in a container (its `@sdnode/*` imports resolve from /app). */
const USER_DIR = '/app/user';
/** Where the cluster configuration file goes in a container. */
const CONFIG_DIR = '/app/config';

type Testcontainers = Awaited<ReturnType<typeof loadTestcontainers>>;

/**
 * Container mode: every node is `sdnode start` in its own container (the FROM-scratch node
 * image) on a user-defined network created for this cluster; a node `n1` is `n1@n1`, `n1`
 * being its network alias. The driver listens on the network's gateway address, which every
 * container reaches. Faults: docker kill / stop / pause / unpause; partitions are iptables DROP
 * rules between container IPs (IptablesPartition); a delay is the node's own outbound delay, set
 * through rpc as in local mode (nodes run with `--fault-hooks`; the kernel may lack netem).
 */
export class ContainerBackend implements ClusterBackend {
  readonly mode = 'containers' as const;
  private readonly containers = new Set<ContainerNode>();
  private readonly partitioner: IptablesPartition;

  private constructor(
    private readonly tc: Testcontainers,
    private readonly context: LocalBackendContext,
    private readonly options: ContainerBackendOptions,
    readonly image: string,
    readonly networkName: string,
    private readonly gateway: string,
    private readonly owner: number,
  ) {
    this.partitioner = new IptablesPartition(owner, networkName);
  }

  static async create(context: LocalBackendContext, options: ContainerBackendOptions): Promise<ContainerBackend> {
    const tc = await loadTestcontainers();
    const image =
      options.image ??
      (
        await ensureNodeImage({
          ...(options.repoRoot !== undefined ? { root: options.repoRoot } : {}),
          ...(context.module !== undefined ? { module: context.module } : {}),
          ...(options.moduleRoot !== undefined ? { moduleRoot: options.moduleRoot } : {}),
          ...(options.packages !== undefined ? { packages: options.packages } : {}),
        })
      ).tag;
    const owner = options.ownerPid ?? process.pid;
    const { dockerode } = (await tc.getContainerRuntimeClient()).container;
    const name = `sdnode-harness-${randomBytes(4).toString('hex')}`;
    const network = await withDeadline('creating the cluster network', 30_000, () =>
      dockerode.createNetwork({ Name: name, Driver: 'bridge', CheckDuplicate: true, Labels: { [HARNESS_LABEL]: 'true', [OWNER_LABEL]: String(owner) } }),
    );
    try {
      const info = (await network.inspect()) as { IPAM?: { Config?: { Gateway?: string }[] } };
      const gateway = info.IPAM?.Config?.find((c) => c.Gateway !== undefined)?.Gateway;
      if (gateway === undefined) throw new ContainerRuntimeError('creating the cluster network', `network ${name} has no gateway address`);
      return new ContainerBackend(tc, context, options, image, name, gateway, owner);
    } catch (error) {
      await network.remove().catch(() => undefined);
      throw error;
    }
  }

  driverEndpoint(): DriverEndpoint {
    // The gateway is the host's own address on the network's bridge: containers reach it.
    return { listen: `tcp://${this.gateway}:0` };
  }

  hostFor(shortName: string): string {
    return shortName;
  }

  plannedAddress(node: ResolvedNode): string {
    return `tcp://${node.host}:${NODE_PORT}`;
  }

  private moduleArgs(): { args: string[]; copy: { source: string; target: string; mode?: number }[]; dirs: { source: string; target: string }[] } {
    const module = this.context.module;
    if (module === undefined) return { args: [], copy: [], dirs: [] };
    if (this.options.moduleRoot !== undefined) {
      const root = resolve(this.options.moduleRoot);
      const inside = relative(root, module).split('\\').join('/');
      if (inside.startsWith('..')) throw new ContainerRuntimeError('copying the module', `${module} is not under moduleRoot ${root}`);
      return { args: ['--module', `${USER_DIR}/${inside}`], copy: [], dirs: [{ source: root, target: USER_DIR }] };
    }
    const target = `${USER_DIR}/${basename(module)}`;
    return { args: ['--module', target], copy: [{ source: module, target, mode: 0o644 }], dirs: [] };
  }

  async start(request: StartRequest): Promise<NodeInstance> {
    const { node, log } = request;
    const previous = request.previous;
    if (previous instanceof ContainerNode) {
      this.containers.delete(previous);
      await previous.remove(); // frees the alias for the new incarnation
    }
    const module = this.moduleArgs();
    const config = this.context.config;
    const configTarget = config === undefined ? undefined : `${CONFIG_DIR}/${basename(config)}`;
    const command = [
      'start',
      ...nodeIdentityArgs(this.context, node.name, configTarget),
      '--listen', `tcp://0.0.0.0:${NODE_PORT}`,
      '--advertise', this.plannedAddress(node),
      '--json',
      // For the delay fault (sdnode.harness.delay: no netem here, the node holds its own frames);
      // the partition filter it also installs stays empty (partitions are iptables rules).
      '--fault-hooks',
      '--tick', `${this.context.netTickTime}ms`,
      ...(node.hidden ? ['--hidden'] : []),
      ...module.args,
      ...Object.entries(request.seedAddresses).flatMap(([name, address]) => ['--seed', `${name}=${address}`]),
      ...node.args,
    ];
    log.beginInstance(`starting container: sdnode ${command.join(' ')}`);
    const since = log.events.length;
    let resolveEnded: (status: string) => void = () => undefined;
    const ended = new Promise<string>((r) => (resolveEnded = r));
    const started: StartedTestContainer = await new this.tc.GenericContainer(this.image)
      .withCommand(command)
      .withEnvironment({ SDNODE_COOKIE: this.context.cookie })
      .withNetworkMode(this.networkName)
      .withNetworkAliases(node.host)
      .withName(`${this.networkName}-${node.shortName}-${randomBytes(2).toString('hex')}`)
      .withLabels({ [HARNESS_LABEL]: 'true', [OWNER_LABEL]: String(this.owner) })
      .withCopyFilesToContainer([...module.copy, ...(config !== undefined && configTarget !== undefined ? [{ source: config, target: configTarget, mode: 0o644 }] : [])])
      .withCopyDirectoriesToContainer(module.dirs)
      .withLogConsumer((stream) => {
        log.follow(stream);
        const end = (): void => {
          log.end('container stopped');
          resolveEnded('container stopped');
        };
        stream.once('end', end);
        stream.once('close', end);
      })
      .withStartupTimeout(request.timeoutMs)
      .start();
    const ip = started.getIpAddress(this.networkName);
    let instance: ContainerNode | undefined;
    try {
      const listening = await log.waitFor((e) => e.event === 'listening', 'its listening line', {
        timeout: request.timeoutMs,
        since,
        ...(request.signal !== undefined ? { signal: request.signal } : {}),
      });
      instance = new ContainerNode(started, ip, `tcp://${ip}:${NODE_PORT}`, this.plannedAddress(node), Number(listening['creation']), ended, log);
      this.containers.add(instance);
      return instance;
    } catch (error) {
      await started.stop({ timeout: 0, remove: true }).catch(() => undefined);
      if (error instanceof NodeExitedError) throw new NodeExitedError(node.name, `container stopped before listening; last output:\n${log.tail(15)}`);
      throw error;
    }
  }

  async partition(sides: readonly (readonly ResolvedNode[])[], driver: PartitionDriver): Promise<void> {
    const ips = sides.map((side) =>
      side.flatMap((n) => {
        const inst = driver.instance(n.name);
        return inst instanceof ContainerNode ? [inst.ip] : [];
      }),
    );
    await this.partitioner.apply(ips);
  }

  heal(): Promise<void> {
    return this.partitioner.clear();
  }

  async close(): Promise<void> {
    const errors: unknown[] = [];
    await this.partitioner.clear().catch((e: unknown) => errors.push(e));
    const results = await Promise.allSettled([...this.containers].map((c) => c.remove()));
    this.containers.clear();
    for (const r of results) if (r.status === 'rejected') errors.push(r.reason);
    try {
      const { dockerode } = (await this.tc.getContainerRuntimeClient()).container;
      await withDeadline('removing the cluster network', 30_000, () => dockerode.getNetwork(this.networkName).remove());
    } catch (error) {
      errors.push(error);
    }
    if (errors.length > 0) throw new AggregateError(errors, `cleaning up the container cluster: ${errors.length} error(s)`);
  }
}
