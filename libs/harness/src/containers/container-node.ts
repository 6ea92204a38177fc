import type { StartedTestContainer } from 'testcontainers';
import type { NodeInstance } from '../backend.js';
import type { NodeLog } from '../logs/node-log.js';
import { loadTestcontainers, withDeadline } from './testcontainers.js';

/**
 * One incarnation of a node in a container. The container's output stream feeds the node's log
 * and ends when the container stops: that is when the instance has ended.
 */
export class ContainerNode implements NodeInstance {
  private paused = false;

  constructor(
    readonly container: StartedTestContainer,
    /** The container's IP on the cluster network. */
    readonly ip: string,
    readonly dialAddress: string,
    readonly advertisedAddress: string,
    readonly creation: number,
    readonly ended: Promise<string>,
    private readonly log: NodeLog,
  ) {}

  get where(): string {
    return `container ${this.container.getId().slice(0, 12)} ip ${this.ip}`;
  }

  private async handle() {
    const { getContainerRuntimeClient } = await loadTestcontainers();
    return (await getContainerRuntimeClient()).container.getById(this.container.getId());
  }

  async kill(timeoutMs: number): Promise<void> {
    if (this.log.hasEnded) return;
    await withDeadline(`docker kill ${this.where}`, timeoutMs, async () => {
      if (this.paused) await this.thaw();
      await (await this.handle()).kill({ signal: 'SIGKILL' }).catch(notRunning);
      await this.ended;
    });
  }

  async stop(timeoutMs: number): Promise<void> {
    if (this.log.hasEnded) return;
    await withDeadline(`docker stop ${this.where}`, timeoutMs + 10_000, async () => {
      if (this.paused) await this.thaw();
      await (await this.handle()).stop({ t: Math.ceil(timeoutMs / 1000) }).catch(notRunning);
      await this.ended;
    });
  }

  async freeze(): Promise<void> {
    await withDeadline(`docker pause ${this.where}`, 10_000, async () => (await this.handle()).pause());
    this.paused = true;
  }

  async thaw(): Promise<void> {
    if (!this.paused) return;
    await withDeadline(`docker unpause ${this.where}`, 10_000, async () => (await this.handle()).unpause());
    this.paused = false;
  }

  /** Remove the container (killing it first if it runs). */
  async remove(): Promise<void> {
    if (this.paused) await this.thaw().catch(() => undefined);
    await withDeadline(`removing ${this.where}`, 30_000, () => this.container.stop({ timeout: 0, remove: true }).then(() => undefined));
  }
}

/** Killing or stopping a container that already stopped is not an error (HTTP 304 / 409). */
function notRunning(error: unknown): void {
  const status = (error as { statusCode?: number }).statusCode;
  if (status !== 304 && status !== 409) throw error;
}
