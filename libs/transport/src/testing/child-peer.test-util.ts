// One transport in the test process connected to one child node process (zmq/fixtures): the
// set-up, the clean-up after each test, and waits whose failure shows both nodes' state. Used by
// the peer-process suite and the freeze/busy specs.
import { afterEach } from 'vitest';
import type { ControlFrame } from '@sdnode/wire';
import { StaticResolver } from '../static-resolver.js';
import type { Transport } from '../transport.js';
import { ChildProcessNode } from '../zmq/fixtures/child-process-node.test-util.js';
import { EventRecorder } from './event-recorder.js';
import { waitUntil } from './wait-until.js';

export const CHILD_PEER = 'child@host';
export const LOCAL_PEER = 'local@host';

/** The options the session sets on the local transport (besides what the caller adds). */
export interface LocalPeerOptions {
  readonly name: string;
  readonly cookie: string;
  readonly resolver: StaticResolver;
}

export class ChildPeerSession<T extends Transport = Transport> {
  private childNode: ChildProcessNode | undefined;
  private localNode: T | undefined;
  private rec: EventRecorder | undefined;

  /** A session per test, closed after each one (call at describe level). */
  static perTest<T extends Transport = Transport>(): () => ChildPeerSession<T> {
    let current = new ChildPeerSession<T>();
    afterEach(async () => {
      const done = current;
      current = new ChildPeerSession<T>();
      await done.close();
    });
    return () => current;
  }

  get child(): ChildProcessNode {
    if (this.childNode === undefined) throw new Error('the child node is not started');
    return this.childNode;
  }

  get local(): T {
    if (this.localNode === undefined) throw new Error('the local transport is not started');
    return this.localNode;
  }

  get recorder(): EventRecorder {
    if (this.rec === undefined) throw new Error('the local transport is not started');
    return this.rec;
  }

  /**
   * Start the child node (`childOptions`: name, cookie, carrier, netTickTime, ... of the fixture)
   * and the local transport `create` makes, and connect them. Returns the local recorder.
   */
  async start(childOptions: { readonly cookie: string } & Record<string, unknown>, create: (options: LocalPeerOptions) => T): Promise<EventRecorder> {
    this.childNode = await ChildProcessNode.start({ name: CHILD_PEER, ...childOptions });
    this.localNode = create({ name: LOCAL_PEER, cookie: childOptions.cookie, resolver: new StaticResolver({ [CHILD_PEER]: this.childNode.address }) });
    this.rec = new EventRecorder(this.localNode);
    await this.localNode.listen();
    await this.localNode.connect(CHILD_PEER);
    return this.rec;
  }

  /** Both nodes' state: the local peers, stats and events, the child's own report and output. */
  async states(): Promise<string> {
    const events = (this.rec?.events ?? [])
      .filter((e) => e.type !== 'frame')
      .map((e) => (e.type === 'connectfailed' ? `connectfailed ${e.name} ${e.error.message}` : `${e.type} ${e.peer.name} epoch ${e.peer.epoch}${e.type === 'nodedown' ? ` ${e.reason.kind}` : ''}`));
    const local = this.localNode;
    return [
      `${LOCAL_PEER}: peers ${JSON.stringify(local?.peers().map((p) => [p.name, p.epoch]))} stats ${JSON.stringify(local?.stats())} now ${Date.now()}`,
      `  events: ${events.join('; ') || 'none'}`,
      `${CHILD_PEER}: ${(await this.childNode?.describe()) ?? 'not started'}`,
    ].join('\n');
  }

  /** Wait for `condition`; on timeout, fail with both nodes' state. */
  async check(what: string, condition: () => boolean, timeout = 5_000): Promise<void> {
    try {
      await waitUntil(condition, { timeout, what });
    } catch (error) {
      throw await this.withStates(error);
    }
  }

  /** `error` with both nodes' state appended (for a failing wait the caller ran itself). */
  async withStates(error: unknown): Promise<Error> {
    return new Error(`${(error as Error).message}\n${await this.states()}`);
  }

  /** Whether the child echoed a probe frame with `body` (fixture: it echoes every frame on `echo`). */
  echoed(body: string): () => boolean {
    return () => this.recorder.frames().some((f) => f.kind === 'control' && (f as ControlFrame).channel === 'echo' && (f as ControlFrame).body === body);
  }

  async close(): Promise<void> {
    await this.childNode?.kill();
    await this.localNode?.close();
  }
}
