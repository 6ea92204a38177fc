import { pino } from 'pino';
import { Node } from '@sdnode/core';
import { MemoryNetwork, MemoryTransport, type PeerInfo } from '@sdnode/transport';
import { Pid, TermCodec } from '@sdnode/wire';
import { FixedMembership } from '../membership.js';
import { REGISTRY_PROTOCOL_VERSION, type Op } from '../ops.js';
import { PidWatcher } from '../pid-watcher.js';
import { Scope } from '../scope.js';
import { ScopeProtocol } from '../scope-protocol.js';
import { scopeSettings, type ScopeOptions } from '../scope-settings.js';
import { Idle } from './registry-cluster.test-util.js';

/** One op the scope under test sent. */
export interface SentOp {
  readonly to: string;
  readonly op: Op;
  /** How the scope sent it: to one peer, or in a list for several peers encoded once (`sendAll`). */
  readonly via: 'send' | 'sendAll';
}

/**
 * One real node running one scope, whose peers are scripted by the test: every op the scope
 * sends is captured (not delivered), and the test delivers the peers' ops itself, in the order
 * it chooses. This replays, deterministically, interleavings that a real cluster produces only
 * now and then.
 */
export interface ScriptedScope {
  readonly node: Node;
  readonly protocol: ScopeProtocol;
  readonly scope: Scope;
  readonly self: string;
  /** Ops sent since the last `take`, oldest first; `take` empties the list. */
  take(): SentOp[];
  /** Admit these peers (HELLO, then every peer's VIEW report of the resulting view): the view is stable. */
  join(...peers: ReadonlyArray<{ readonly name: string; readonly creation: number }>): void;
  /** A peer's connection went down; the others report the resulting view: it is stable. */
  leave(peer: string): void;
  /** Deliver ops from a peer, as one frame. */
  deliver(from: string, ...ops: Op[]): void;
  /** The peer a name is owned by in the current view. */
  ownerOf(name: string): string;
  /** A name (n0, n1, ...) owned by `node` in the current view. */
  nameOwnedBy(node: string): string;
  /** A pid of a peer (its processes are not real: only their ids matter here). */
  remotePid(node: string, creation: number, id?: number): Pid;
  stop(): Promise<void>;
}

export async function scriptedScope(self: string, members: readonly string[], options: ScopeOptions = {}): Promise<ScriptedScope> {
  const transport = new MemoryTransport({ network: new MemoryNetwork(), name: self, cookie: 'test' });
  const logger = pino({ level: process.env['SDNODE_LOG_LEVEL'] ?? 'error', base: { node: self } });
  const node = await Node.start({ name: self, cookie: 'test', transport, types: [Idle], logger });
  const sent: SentOp[] = [];
  const codec = new TermCodec();
  const peers = new Map<string, PeerInfo>();
  let epoch = 0;
  // The scope's protocol is built below; the watcher only calls it once a pid exits.
  const holder: { protocol: ScopeProtocol | null } = { protocol: null };
  const watcher = new PidWatcher(node, (pid) => holder.protocol?.localDown(pid));
  const protocol = new ScopeProtocol(
    'global',
    {
      node,
      logger,
      send: (to, _scope, op) => void sent.push({ to, op, via: 'send' }),
      sendAll: (peers, _scope, op) => {
        for (const to of peers) sent.push({ to, op, via: 'sendAll' });
      },
      decodeOps(bytes) {
        const r = codec.decode(bytes);
        return r.ok && Array.isArray(r.value) ? r.value : 'bad broadcast item';
      },
      watch: (pid) => watcher.watch(pid),
    },
    new FixedMembership(self, [self, ...members]),
    scopeSettings(options),
    () => peers.values(),
  );
  holder.protocol = protocol;
  const scope = new Scope(protocol);
  const deliver = (from: string, ...ops: Op[]): void => {
    const info = peers.get(from);
    if (info === undefined) throw new Error(`${from} is not connected`);
    protocol.handle(info, ops);
  };
  const settle = (): void => {
    for (const p of protocol.view.peers()) deliver(p, ['view', protocol.view.hash]);
    if (!protocol.view.stable) throw new Error(`view not stable, waiting for ${protocol.view.waitingFor().join(',')}`);
  };
  return {
    node,
    protocol,
    scope,
    self,
    take: () => sent.splice(0),
    join(...joining) {
      for (const p of joining) {
        peers.set(p.name, { name: p.name, creation: p.creation, hidden: false, address: 'memory', epoch: ++epoch });
        protocol.nodeUp({ name: p.name, hidden: false });
        deliver(p.name, ['hello', protocol.settings.mode, true, REGISTRY_PROTOCOL_VERSION, p.creation]);
      }
      settle();
    },
    leave(peer) {
      peers.delete(peer);
      protocol.nodeDown(peer);
      settle();
    },
    deliver,
    ownerOf: (name) => protocol.view.ring.owner(name),
    nameOwnedBy(owner) {
      for (let i = 0; i < 1000; i++) if (protocol.view.ring.owner(`n${i}`) === owner) return `n${i}`;
      throw new Error(`no name owned by ${owner}`);
    },
    remotePid: (n, creation, id = 1) => new Pid(n, id, creation),
    async stop() {
      protocol.stop(new Error('stopped'));
      watcher.stop();
      await node.stop();
    },
  };
}
