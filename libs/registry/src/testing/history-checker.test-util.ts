/**
 * A checker over the recorded history of a registry run (the property tests record it): which
 * writes were acknowledged, what released a name, how the nodes were connected, how processes
 * exited, and what every member answered once the cluster was healed and quiet.
 *
 * (a) never two different pids acknowledged by `register` for one name while their registering
 *     nodes were connected (same side, no topology change in between), unless a release of the
 *     first (unregister, reRegister, exit) may have taken effect between the two;
 * (b) after heal and quiescence every member answers the same for every name;
 * (c) no member resolves a name to a dead pid;
 * (d) every conflict was resolved by the configured resolver (exitLoser: a winner was kept and
 *     each loser with a pid other than the winner's exited with the name_conflict reason;
 *     unregisterBoth: nobody kept the name) and no member is left holding a conflict.
 */

/**
 * Events carry the sequence numbers of their invocation (`inv`) and of their acknowledgement
 * (`ack`; Infinity when it never came): an operation took effect somewhere in between.
 */
export type HistoryEvent =
  /** The sides changed (partition, heal, crash, restart): `side` maps each live node to its side. */
  | { readonly t: 'topology'; readonly at: number; readonly side: ReadonlyMap<string, number> }
  | { readonly t: 'ack'; readonly op: 'register' | 'reRegister'; readonly name: string; readonly pid: string; readonly home: string; readonly inv: number; readonly ack: number }
  /** unregister or reRegister of the name (ack: when it was acknowledged). */
  | { readonly t: 'release'; readonly name: string; readonly inv: number; ack: number }
  | { readonly t: 'exit'; readonly pid: string; readonly inv: number };

export interface FinalState {
  /** node -> (name -> pid) as each live member answers. */
  readonly answers: ReadonlyMap<string, ReadonlyMap<string, string>>;
  readonly alive: (pid: string) => boolean;
  /** Conflicts still held per node. */
  readonly conflictsHeld: ReadonlyMap<string, number>;
  /** Conflicts as members reported them: the winner (null: nobody kept the name), and each loser other than the winner with how it exited (undefined: alive). */
  readonly conflicts: ReadonlyArray<{ readonly name: string; readonly winner: string | null; readonly losers: ReadonlyArray<{ readonly pid: string; readonly exitedWithConflict: boolean | undefined }> }>;
  readonly resolver: 'exitLoser' | 'notifyBoth' | 'unregisterBoth';
}

type Ack = Extract<HistoryEvent, { t: 'ack' }>;

export function checkHistory(history: readonly HistoryEvent[], final: FinalState): string[] {
  const problems: string[] = [];
  // (a): consecutive acknowledgements of a name on one side, in ack order, within one topology.
  const topologies = history.filter((e): e is Extract<HistoryEvent, { t: 'topology' }> => e.t === 'topology').sort((x, y) => x.at - y.at);
  const epochOf = (seq: number): number => topologies.filter((t) => t.at < seq).length;
  const releases = history.filter((e): e is Extract<HistoryEvent, { t: 'release' }> => e.t === 'release');
  const exits = history.filter((e): e is Extract<HistoryEvent, { t: 'exit' }> => e.t === 'exit');
  const acks = history.filter((e): e is Ack => e.t === 'ack').sort((x, y) => x.ack - y.ack);
  const last = new Map<string, Ack>();
  for (const y of acks) {
    const epoch = epochOf(y.inv);
    if (epoch !== epochOf(y.ack)) continue; // the sides changed while it ran
    const side = topologies[epoch - 1]?.side.get(y.home);
    if (side === undefined) continue;
    const key = `${epoch}|${side}|${y.name}`;
    const x = last.get(key);
    last.set(key, y);
    if (x === undefined || x.pid === y.pid || y.op !== 'register') continue;
    const released =
      releases.some((r) => r.name === y.name && r.inv < y.ack && r.ack > x.inv) || exits.some((e) => e.pid === x.pid && e.inv < y.ack);
    if (!released) problems.push(`(a) ${y.name} acknowledged for ${x.pid} and then for ${y.pid} on one side without a release`);
  }
  // (b) and (c)
  const nodes = [...final.answers.keys()];
  const first = final.answers.get(nodes[0] ?? '') ?? new Map<string, string>();
  for (const n of nodes) {
    const a = final.answers.get(n)!;
    const names = new Set([...first.keys(), ...a.keys()]);
    for (const name of names) {
      if (first.get(name) !== a.get(name)) problems.push(`(b) ${nodes[0]} says ${name} -> ${first.get(name) ?? 'none'}, ${n} says ${a.get(name) ?? 'none'}`);
    }
    for (const [name, pid] of a) if (!final.alive(pid)) problems.push(`(c) ${n} resolves ${name} to dead ${pid}`);
  }
  // (d)
  for (const [n, count] of final.conflictsHeld) if (count > 0) problems.push(`(d) ${n} still holds ${count} unresolved conflicts`);
  for (const c of final.conflicts) {
    if (final.resolver === 'unregisterBoth' && c.winner !== null) problems.push(`(d) a conflict on ${c.name} kept ${c.winner} under unregisterBoth`);
    if (final.resolver === 'exitLoser') {
      if (c.winner === null) problems.push(`(d) a conflict on ${c.name} kept nobody under exitLoser`);
      for (const l of c.losers) if (l.exitedWithConflict !== true && final.alive(l.pid)) problems.push(`(d) loser ${l.pid} of ${c.name} did not exit with name_conflict`);
    }
  }
  return problems;
}
