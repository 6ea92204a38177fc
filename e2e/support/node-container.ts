// One running container of the e2e cluster: its output, waits on its events,
// and fault injection (kill, freeze/thaw) through the Docker API.
import './env.js';
import { getContainerRuntimeClient, type StartedTestContainer } from 'testcontainers';
import type { NodeEvent, NodeLog } from '@sdnode/harness';

export const DEFAULT_EVENT_TIMEOUT_MS = 30_000;

export class NodeContainer {
  private paused = false;
  private killed = false;

  constructor(
    /** Node name (`a@alpha`), or a label for a non-node container. */
    readonly name: string,
    /** The network alias other containers reach it by. */
    readonly alias: string,
    readonly container: StartedTestContainer,
    readonly log: NodeLog,
  ) {}

  /** Events logged so far. */
  get events(): readonly NodeEvent[] {
    return this.log.events;
  }

  /** Wait until this container logged an event matching `match` (or fail at the deadline). */
  waitFor(match: (e: NodeEvent) => boolean, what: string, timeoutMs = DEFAULT_EVENT_TIMEOUT_MS): Promise<NodeEvent> {
    return this.log.waitFor(match, what, { timeout: timeoutMs });
  }

  /** Wait for `{"event": event, ...fields}` (fields compared with ===). */
  waitForEvent(event: string, fields: Record<string, unknown> = {}, timeoutMs = DEFAULT_EVENT_TIMEOUT_MS): Promise<NodeEvent> {
    const what = `event ${JSON.stringify({ event, ...fields })}`;
    return this.waitFor((e) => e.event === event && Object.entries(fields).every(([k, v]) => e[k] === v), what, timeoutMs);
  }

  /** Like waitForEvent, but only an event logged after this call counts (e.g. a second nodeup). */
  waitForNewEvent(event: string, fields: Record<string, unknown> = {}, timeoutMs = DEFAULT_EVENT_TIMEOUT_MS): Promise<NodeEvent> {
    const what = `a new event ${JSON.stringify({ event, ...fields })}`;
    const match = (e: NodeEvent) => e.event === event && Object.entries(fields).every(([k, v]) => e[k] === v);
    return this.log.waitFor(match, what, { timeout: timeoutMs, since: this.log.events.length });
  }

  /** `docker kill` (SIGKILL): the process dies at once, no goodbye on the wire. */
  async kill(): Promise<void> {
    const client = await getContainerRuntimeClient();
    await client.container.getById(this.container.getId()).kill({ signal: 'SIGKILL' });
    this.killed = true;
  }

  /** `docker pause`: the node freezes (cgroup freezer); its sockets stay open. */
  async freeze(): Promise<void> {
    const client = await getContainerRuntimeClient();
    await client.container.getById(this.container.getId()).pause();
    this.paused = true;
  }

  /** `docker unpause`. */
  async thaw(): Promise<void> {
    const client = await getContainerRuntimeClient();
    await client.container.getById(this.container.getId()).unpause();
    this.paused = false;
  }

  /** Remove the container (SIGKILL first); safe after kill(). */
  async remove(): Promise<void> {
    if (this.paused) await this.thaw();
    await this.container.stop({ timeout: 0, remove: true });
  }

  get wasKilled(): boolean {
    return this.killed;
  }
}
