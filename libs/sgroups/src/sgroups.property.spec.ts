import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compareVersions, type GroupDefinition } from './group-definition.js';
import { eventually, full, sgroupCluster, spawnIdle, type SGroupCluster, type SGroupMember } from './testing/sgroup-cluster.test-util.js';

const NODES = ['a', 'b', 'c', 'd', 'e'];
const GROUPS = ['g1', 'g2', 'g3'];

type Command =
  | { readonly k: 'new' | 'add' | 'remove'; readonly at: number; readonly group: number; readonly nodes: readonly number[] }
  | { readonly k: 'delete'; readonly at: number; readonly group: number }
  | { readonly k: 'partition'; readonly mask: number }
  | { readonly k: 'heal' }
  | { readonly k: 'kill'; readonly node: number }
  | { readonly k: 'restart'; readonly node: number }
  | { readonly k: 'register'; readonly at: number; readonly group: number; readonly name: number }
  | { readonly k: 'unregister'; readonly at: number; readonly group: number; readonly name: number };

const idx = fc.nat({ max: 9 });
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ k: fc.constantFrom('new' as const, 'add' as const, 'remove' as const), at: idx, group: idx, nodes: fc.array(idx, { minLength: 1, maxLength: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('delete' as const), at: idx, group: idx }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('partition' as const), mask: fc.integer({ min: 1, max: 30 }) }) },
  { weight: 1, arbitrary: fc.constant({ k: 'heal' as const }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('kill' as const), node: idx }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('restart' as const), node: idx }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('register' as const), at: idx, group: idx, name: fc.nat({ max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('unregister' as const), at: idx, group: idx, name: fc.nat({ max: 3 }) }) },
);

/** Runs start by creating a few groups, so that the other commands have groups to act on. */
const create: fc.Arbitrary<Command> = fc.record({ k: fc.constant('new' as const), at: idx, group: idx, nodes: fc.array(idx, { minLength: 1, maxLength: 3 }) });

/**
 * The model's expectations after heal and quiescence, checked against every live node's state.
 * The model's definition of a group is the newest any live node holds (the merge's winner). Every
 * node holds exactly the model's definitions of its own groups (the groups the model lists it in),
 * and knows the kind of every peer it is connected to; a node outside a group may hold an older
 * definition of it, as nothing propagates outside a node's groups (docs/protocols/sgroups.md).
 */
function problems(live: readonly SGroupMember[]): string[] {
  const out: string[] = [];
  const newest = new Map<string, GroupDefinition>();
  for (const m of live) {
    for (const d of m.sgroups.table.all()) {
      const known = newest.get(d.name);
      if (known === undefined || compareVersions(d.version, known.version) > 0) newest.set(d.name, d);
    }
  }
  const groups = [...newest.values()].filter((d) => !d.deleted);
  const show = (ds: readonly GroupDefinition[]) => ds.map((d) => `${d.name}:${d.members.join(',')}@${d.version.n}/${d.version.by}`).sort().join(' ');
  const inSomeGroup = (n: string) => groups.some((d) => d.members.includes(n));
  const liveNames = new Set(live.map((m) => m.node.name));
  for (const m of live) {
    const mine = groups.filter((d) => d.members.includes(m.node.name));
    if (show(m.sgroups.table.own()) !== show(mine)) out.push(`${m.node.name} holds own groups [${show(m.sgroups.table.own())}], the model says [${show(mine)}]`);
    const kind = mine.length > 0 ? 'sgroup' : 'free';
    if (m.sgroups.kind !== kind) out.push(`${m.node.name} is ${m.sgroups.kind}, the model says ${kind}`);
    for (const p of m.node.nodes({ all: true })) if (m.sgroups.table.inSomeGroup(p) !== inSomeGroup(p)) out.push(`${m.node.name} takes its peer ${p} for ${inSomeGroup(p) ? 'free' : 'an s_group node'}`);
    const expected = new Set<string>();
    if (kind === 'sgroup') for (const d of mine) for (const n of d.members) if (n !== m.node.name && liveNames.has(n)) expected.add(n);
    const visible = new Set(m.node.nodes());
    // s_group nodes: exactly the live members of their groups; free nodes: no s_group node
    if (kind === 'sgroup' && [...expected].sort().join() !== [...visible].sort().join()) out.push(`${m.node.name} sees ${[...visible].sort().join(',')}, expected ${[...expected].sort().join(',')}`);
    if (kind === 'free') for (const v of visible) if (inSomeGroup(v)) out.push(`free ${m.node.name} sees s_group node ${v}`);
    for (const d of mine) if (m.sgroups.scope(d.name) === undefined) out.push(`${m.node.name} has no name space for ${d.name}`);
  }
  // names: every live member of a group answers the same for every name of the group, with live
  // pids of live members; a node outside the group gets the same answer through a member
  for (const d of groups) {
    const members = live.filter((m) => d.members.includes(m.node.name));
    const answers = members.map((m) => {
      const scope = m.sgroups.scope(d.name);
      const names = (scope?.registeredNames() ?? []).sort();
      return names.map((n) => `${n}=${String(scope?.whereis(n))}`).join(' ');
    });
    for (let i = 1; i < members.length; i++) if (answers[i] !== answers[0]) out.push(`${d.name}: ${members[0]!.node.name} has [${answers[0]}], ${members[i]!.node.name} has [${answers[i]}]`);
    for (const m of members) {
      for (const n of m.sgroups.scope(d.name)?.registeredNames() ?? []) {
        const pid = m.sgroups.scope(d.name)?.whereis(n);
        if (pid === undefined) continue;
        const home = live.find((x) => x.node.name === pid.node);
        if (home === undefined || !home.node.isAlive(pid)) out.push(`${m.node.name} resolves ${d.name}/${n} to dead ${String(pid)}`);
        if (!d.members.includes(pid.node)) out.push(`${d.name}/${n} is held by ${String(pid)}, of a node outside the group`);
      }
    }
  }
  return out;
}

async function run(commands: readonly Command[]): Promise<string[]> {
  const c: SGroupCluster = await sgroupCluster(NODES);
  const dead = new Set<string>();
  const live = () => c.members.filter((m) => !dead.has(m.node.name) && !m.node.isStopped);
  const cross = (mask: number) => (x: number, y: number) => ((mask >> x) & 1) !== ((mask >> y) & 1);
  let mask = 0;
  try {
    for (const a of c.members) for (const b of c.members) if (a !== b && !a.node.nodes({ all: true }).includes(b.node.name)) await a.node.connect(b.node.name, { timeout: 2000 });
    for (const cmd of commands) {
      const pending: Promise<unknown>[] = [];
      if (cmd.k === 'partition') {
        mask = cmd.mask;
        NODES.forEach((x, i) => NODES.forEach((y, j) => i < j && cross(mask)(i, j) && c.network.partition(full(x), full(y))));
        // the cut is reported a moment later: wait until every node has seen it
        await eventually(() => live().every((m) => m.node.nodes({ all: true }).every((n) => !cross(mask)(NODES.indexOf(m.node.name[0]!), NODES.indexOf(n[0]!)))), 'partition seen');
      } else if (cmd.k === 'heal') {
        mask = 0;
        c.network.heal();
      } else if (cmd.k === 'kill') {
        const m = c.member(NODES[cmd.node % NODES.length]!);
        if (!dead.has(m.node.name) && live().length > 2) {
          dead.add(m.node.name);
          await c.kill(m);
          await eventually(() => live().every((x) => !x.node.nodes({ all: true }).includes(m.node.name)), 'kill seen');
        }
      } else if (cmd.k === 'restart') {
        // a new incarnation, started with no groups: it learns its groups from the others
        const name = full(NODES[cmd.node % NODES.length]!);
        if (!dead.has(name)) continue;
        dead.delete(name);
        await c.add(name.split('@')[0]!);
      } else if (cmd.k === 'register' || cmd.k === 'unregister') {
        const group = GROUPS[cmd.group % GROUPS.length]!;
        // mostly a node that believes it is a member (else the call is refused, which is fine too)
        const members = live().filter((m) => m.sgroups.ownGroups().some((g) => g.name === group));
        const at = members.length > 0 && cmd.at % 4 !== 0 ? members[cmd.at % members.length]! : c.member(NODES[cmd.at % NODES.length]!);
        if (dead.has(at.node.name)) continue;
        const name = `n${cmd.name}`;
        // a member registers a fresh local process; a non-member is refused (typed), as it should be
        const call = cmd.k === 'register' ? at.sgroups.names.register(group, name, spawnIdle(at.node)) : at.sgroups.names.unregister(group, name);
        pending.push(call.catch(() => undefined));
      } else {
        const at = c.member(NODES[cmd.at % NODES.length]!);
        if (dead.has(at.node.name)) continue;
        const group = GROUPS[cmd.group % GROUPS.length]!;
        const nodes = cmd.k === 'delete' ? [] : [...new Set(cmd.nodes.map((n) => full(NODES[n % NODES.length]!)))];
        const s = at.sgroups;
        const call =
          cmd.k === 'new' ? s.newGroup(group, [at.node.name, ...nodes]) : cmd.k === 'add' ? s.addNodes(group, nodes) : cmd.k === 'remove' ? s.removeNodes(group, nodes.filter((n) => n !== at.node.name)) : s.deleteGroup(group);
        pending.push(call.catch(() => undefined)); // typed refusals are part of the game
      }
      await Promise.all(pending);
    }
    c.network.heal();
    const nodes = live();
    // reconnect every pair (free nodes do not redial on their own), until the connections hold
    await eventually(
      () => {
        const missing = nodes.flatMap((a) => nodes.filter((b) => a !== b && !a.node.nodes({ all: true }).includes(b.node.name)).map((b) => [a, b] as const));
        for (const [a, b] of missing) a.node.connect(b.node.name, { timeout: 2000 }).catch(() => undefined);
        return missing.length === 0;
      },
      'every pair connected after heal',
      () => c.describe(),
      8000,
    ).catch(() => undefined);
    let found: string[] = [];
    await eventually(() => (found = problems(nodes)).length === 0, 'the model holds after heal', () => `${found.join('\n')}\n${c.describe()}`, 8000).catch(() => undefined);
    return found.length === 0 ? [] : [...found, c.describe()];
  } finally {
    await c.stop();
  }
}

describe('s_groups under random changes, registrations, partitions, crashes and restarts', () => {
  it('converge after heal (with crashes and restarts): every member holds the newest definition of its groups, every node knows the kind of its peers, kinds and visible connections as the definitions say, a name space per own group, the same names on every member', async () => {
    await fc.assert(
      fc.asyncProperty(fc.tuple(fc.array(create, { minLength: 1, maxLength: 3 }), fc.array(command, { minLength: 3, maxLength: 14 })).map(([setup, rest]) => [...setup, ...rest]), async (commands) => {
        const found = await run(commands);
        expect(found, found.join('\n')).toEqual([]);
      }),
      // SDNODE_PROPERTY_SEED and SDNODE_PROPERTY_PATH replay a counterexample (fast-check prints both)
      {
        numRuns: Number(process.env['SDNODE_PROPERTY_RUNS'] ?? 10),
        endOnFailure: true,
        ...(process.env['SDNODE_PROPERTY_SEED'] !== undefined ? { seed: Number(process.env['SDNODE_PROPERTY_SEED']), path: process.env['SDNODE_PROPERTY_PATH'] ?? '0' } : {}),
      },
    );
  }, 180_000);
});
