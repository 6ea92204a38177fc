// What the benchmark measures: the scenarios (each one program for sdnode and, where it has
// one, a counterpart on Erlang/OTP) and the figures they report, with the targets of DESIGN.md
// section 4. Targets are goals, not results: every reported value and baseline is measured in
// the same run.

/**
 * Scenarios in run order. `n` is the work size (messages, processes or calls) for a full run
 * and for --quick; `erlang` names the Erlang scenario; `remote` needs two Erlang nodes, `peers`
 * (a number) as many peer nodes besides the driver node. `erlangN` replaces `n` on the Erlang
 * side, `erlangRuns` caps its runs (where Erlang/OTP takes minutes at the sdnode size: see
 * bench/README.md); `metrics` lists the figures when the name prefix rule does not;
 * `timeoutMs` replaces the runner's limit per program.
 */
export const SCENARIOS = [
  { id: 'ceiling.cbor', script: 'ceiling-cbor.mjs', n: { full: 1_000_000, quick: 200_000 } },
  { id: 'ceiling.zmq', script: 'ceiling-zmq.mjs', n: { full: 6_400_000, quick: 1_280_000 } },
  { id: 'ceiling.net', script: 'ceiling-net.mjs', n: { full: 6_400_000, quick: 1_280_000 } },
  { id: 'local.oneway', script: 'local-oneway.mjs', erlang: 'local_oneway', n: { full: 4_000_000, quick: 500_000 } },
  { id: 'local.pingpong', script: 'local-pingpong.mjs', erlang: 'local_pingpong', n: { full: 2_000_000, quick: 400_000 } },
  { id: 'spawn.rate', script: 'spawn-rate.mjs', erlang: 'spawn_rate', n: { full: 1_000_000, quick: 100_000 } },
  { id: 'process.bytes', script: 'process-bytes.mjs', erlang: 'process_bytes', nodeArgs: ['--expose-gc'], n: { full: 100_000, quick: 20_000 } },
  { id: 'remote.oneway', script: 'remote-oneway.mjs', erlang: 'remote_oneway', remote: true, metrics: ['remote.oneway'], n: { full: 1_000_000, quick: 200_000 } },
  { id: 'remote.call', script: 'remote-call.mjs', erlang: 'remote_call', remote: true, n: { full: 20_000, quick: 3_000 } },
  // The same two scenarios on each transport carrier by name (the unsuffixed figures above run on
  // the default carrier): what the default is chosen by, measured in every run.
  { id: 'remote.oneway.net', script: 'remote-oneway.mjs', args: ['carrier=net'], n: { full: 1_000_000, quick: 200_000 } },
  { id: 'remote.oneway.zmq', script: 'remote-oneway.mjs', args: ['carrier=zmq'], n: { full: 1_000_000, quick: 200_000 } },
  { id: 'remote.call.net', script: 'remote-call.mjs', args: ['carrier=net', 'styles=async'], n: { full: 20_000, quick: 3_000 } },
  { id: 'remote.call.zmq', script: 'remote-call.mjs', args: ['carrier=zmq', 'styles=async'], n: { full: 20_000, quick: 3_000 } },
  // The OTP behaviours (libs/otp).
  { id: 'genserver.call.local', script: 'genserver-call.mjs', args: ['where=local'], erlang: 'genserver_call_local', n: { full: 200_000, quick: 30_000 } },
  { id: 'genserver.call.remote', script: 'genserver-call.mjs', args: ['where=remote'], erlang: 'genserver_call_remote', remote: true, n: { full: 20_000, quick: 3_000 } },
  { id: 'supervisor.restart', script: 'supervisor-restart.mjs', erlang: 'supervisor_restart', n: { full: 20_000, quick: 3_000 } },
  // The test harness: n nodes started and meshed (`args` are passed to the script as key=value).
  { id: 'harness.start.local5', script: 'harness-start.mjs', args: ['mode=local'], n: { full: 5, quick: 5 } },
  { id: 'harness.start.local50', script: 'harness-start.mjs', args: ['mode=local'], n: { full: 50, quick: 50 } },
  { id: 'harness.start.containers5', script: 'harness-start.mjs', args: ['mode=containers'], n: { full: 5, quick: 5 } },
  // The distributed name registry and process groups (libs/registry): n names / joins / samples.
  {
    id: 'registry.register',
    script: 'registry-register.mjs',
    metrics: ['registry.register.n1', 'registry.register.n2', 'registry.register.n4', 'registry.register.n6', 'registry.register.flatness'],
    erlang: 'registry_register',
    peers: 9, // fresh peer nodes for each size: 0 + 1 + 3 + 5
    erlangN: { full: 2000, quick: 1000 },
    erlangRuns: 1,
    n: { full: 20_000, quick: 5_000 },
  },
  { id: 'registry.register.partitioned', script: 'registry-register.mjs', args: ['mode=partitioned', 'sizes=6'], n: { full: 20_000, quick: 5_000 } },
  { id: 'registry.whereis', script: 'registry-lookup.mjs', erlang: 'registry_whereis', erlangRuns: 1, n: { full: 20_000, quick: 5_000 } },
  { id: 'registry.visible', script: 'visibility.mjs', args: ['what=registry'], n: { full: 1000, quick: 300 } },
  { id: 'registry.cleanup', script: 'registry-cleanup.mjs', n: { full: 100_000, quick: 20_000 } },
  { id: 'pg.join.groups100', script: 'pg-join.mjs', args: ['groups=100'], erlang: 'pg_join_groups100', remote: true, n: { full: 100_000, quick: 20_000 } },
  {
    id: 'pg.join.groups1',
    script: 'pg-join.mjs',
    args: ['groups=1'],
    erlang: 'pg_join_groups1',
    remote: true,
    erlangN: { full: 20_000, quick: 5_000 },
    erlangRuns: 1,
    n: { full: 100_000, quick: 20_000 },
  },
  { id: 'pg.visible', script: 'visibility.mjs', args: ['what=pg'], n: { full: 1000, quick: 300 } },
  // s_groups (libs/sgroups): a ring of groups joined by gateways on n real node processes; the
  // name space of a group of 8 (a replicated scope over 8 fixed members, as a group's is).
  { id: 'sgroups.ring', script: 'sgroups-ring.mjs', metrics: ['sgroups.connections.n64', 'sgroups.change.p50', 'sgroups.change.p99'], timeoutMs: 300_000, n: { full: 64, quick: 16 } },
  { id: 'sgroups.register', script: 'registry-register.mjs', args: ['sizes=8', 'figure=sgroups.register'], metrics: ['sgroups.register.n8'], n: { full: 20_000, quick: 5_000 } },
  // Implicit process placement (libs/placement): decisions over 1,000 known nodes (n: ms per
  // variant), placed against plain remote spawns (n: pairs), how soon a change of attribute reaches
  // another node's decisions (n: samples; refresh: a built-in attribute, n/5 s).
  {
    id: 'placement.choose',
    script: 'placement-choose.mjs',
    metrics: ['placement.choose.n1000', 'placement.choose.n1000.compiled', 'placement.choose.n1000.static', 'placement.choose.n1000.naive', 'placement.choose.n1000.inline'],
    n: { full: 2000, quick: 400 },
  },
  { id: 'placement.spawn', script: 'placement-spawn.mjs', metrics: ['placement.spawn.overhead', 'placement.spawn.placed.p50', 'placement.spawn.remote.p50'], n: { full: 5000, quick: 1000 } },
  { id: 'placement.attr.visible', script: 'placement-visible.mjs', args: ['what=change'], n: { full: 200, quick: 100 } },
  { id: 'placement.attr.refresh', script: 'placement-visible.mjs', args: ['what=refresh'], n: { full: 20, quick: 10 } },
  // Failure detection (issue 10, section 4): DOWN of a remote process (n: victims), nodedown of a
  // killed peer process (n: peers), of a frozen one (n: freezes, tick 1 s), false nodedowns around a
  // node busy for 2 x the tick time (n: rounds, with and without the liveness side-channel).
  { id: 'remote.down', script: 'remote-down.mjs', n: { full: 5000, quick: 1000 } },
  { id: 'nodedown.kill', script: 'nodedown.mjs', args: ['what=kill'], n: { full: 10, quick: 5 } },
  { id: 'nodedown.freeze', script: 'nodedown.mjs', args: ['what=freeze'], metrics: ['nodedown.freeze', 'nodedown.freeze.max'], n: { full: 10, quick: 4 } },
  {
    id: 'nodedown.freeze.liveness',
    script: 'nodedown.mjs',
    args: ['what=freeze', 'liveness=on'],
    metrics: ['nodedown.freeze.liveness', 'nodedown.freeze.liveness.max'],
    n: { full: 10, quick: 4 },
  },
  { id: 'busy.falsedown', script: 'nodedown.mjs', args: ['what=busy'], n: { full: 3, quick: 1 } },
];

/** How many Erlang peer nodes a scenario needs besides its driver node. */
export function erlangPeers(scenario) {
  return scenario.peers ?? (scenario.remote ? 1 : 0);
}

const HIGHER = 'higher';
const LOWER = 'lower';
/** In a relTarget: the figure's own Erlang/OTP value in the same run. */
export const ERLANG = 'erlang';

/**
 * Figures by name. `better` says which direction is an improvement; `target` comes from
 * DESIGN.md section 4 (`targetN`: the target applies only when that many were measured);
 * `relTargets`: targets relative to figures of the same run, `{ of, times }` with `of` a figure
 * name or ERLANG (this figure's Erlang/OTP value): the figure must be on the better side of
 * `times` x that value, for every one of them that was measured (issue 10);
 * `ceilings`: the figure is also reported as a fraction of these ceilings.
 */
export const METRICS = {
  'ceiling.cbor': { unit: 'msgs/s', better: HIGHER, about: 'raw cbor-x encode+decode, default options' },
  'ceiling.cbor.seq': { unit: 'msgs/s', better: HIGHER, about: 'raw cbor-x encode+decode, sequential structures' },
  'ceiling.zmq.single': { unit: 'msgs/s', better: HIGHER, about: 'raw zeromq.js PUSH/PULL, 1 message per frame' },
  'ceiling.zmq.batch64': { unit: 'msgs/s', better: HIGHER, about: 'raw zeromq.js PUSH/PULL, 64 messages per frame' },
  'ceiling.zmq.rtt.p50': { unit: 'us', better: LOWER, about: 'raw zeromq.js PAIR round trip to an echo process' },
  'ceiling.zmq.rtt.p99': { unit: 'us', better: LOWER, about: 'raw zeromq.js PAIR round trip to an echo process' },
  'ceiling.net.rtt.p50': { unit: 'us', better: LOWER, about: 'raw node:net TCP round trip to an echo process' },
  'ceiling.net.rtt.p99': { unit: 'us', better: LOWER, about: 'raw node:net TCP round trip to an echo process' },
  'local.oneway': { unit: 'msgs/s', better: HIGHER, target: 10e6 },
  'local.oneway.flood': { unit: 'msgs/s', better: HIGHER, about: 'the sender never yields: all n messages live in the mailbox at once' },
  'local.oneway.async': { unit: 'msgs/s', better: HIGHER, about: 'local.oneway with an async-style sink (ctx.receive per message)' },
  'local.pingpong': { unit: 'msgs/s', better: HIGHER },
  'local.pingpong.async': { unit: 'msgs/s', better: HIGHER, about: 'local.pingpong between two async-style processes' },
  'spawn.time': { unit: 's', better: LOWER, target: 2, targetN: 1_000_000 },
  'spawn.rate': { unit: 'procs/s', better: HIGHER, target: 500_000, about: 'target derived: 1 M in <= 2 s' },
  'process.bytes': { unit: 'bytes', better: LOWER, target: 1024 },
  'remote.oneway': {
    unit: 'msgs/s',
    better: HIGHER,
    target: 1e6,
    ceilings: ['ceiling.zmq.batch64', 'ceiling.zmq.single', 'ceiling.cbor', 'ceiling.cbor.seq'],
  },
  'remote.oneway.net': { unit: 'msgs/s', better: HIGHER, ceilings: ['remote.oneway.zmq'], about: 'remote.oneway with both nodes on the net carrier (ZMTP on node:net)' },
  'remote.oneway.zmq': { unit: 'msgs/s', better: HIGHER, about: 'remote.oneway with both nodes on the zmq carrier (zeromq.js)' },
  // Issue 10, section 3: targets relative to figures of the same run (relTargets, see below).
  'remote.call.p50': {
    unit: 'us',
    better: LOWER,
    relTargets: [{ of: ERLANG, times: 1 }, { of: 'ceiling.net.rtt.p50', times: 1.5 }],
    ceilings: ['ceiling.net.rtt.p50', 'ceiling.zmq.rtt.p50'],
  },
  'remote.call.p99': { unit: 'us', better: LOWER, relTargets: [{ of: ERLANG, times: 2 }], ceilings: ['ceiling.net.rtt.p99', 'ceiling.zmq.rtt.p99'] },
  'remote.call.bytes': { unit: 'bytes', better: LOWER, target: 2048, about: 'bytes allocated on the caller\'s V8 heap per remote.call (collections accounted for)' },
  'remote.call.callback.p50': { unit: 'us', better: LOWER, ceilings: ['ceiling.net.rtt.p50', 'ceiling.zmq.rtt.p50'], about: 'remote.call from a callback-style caller' },
  'remote.call.callback.p99': { unit: 'us', better: LOWER, ceilings: ['ceiling.net.rtt.p99', 'ceiling.zmq.rtt.p99'], about: 'remote.call from a callback-style caller' },
  'remote.call.net.p50': { unit: 'us', better: LOWER, ceilings: ['ceiling.net.rtt.p50'], about: 'remote.call with both nodes on the net carrier (ZMTP on node:net)' },
  'remote.call.net.p99': { unit: 'us', better: LOWER, ceilings: ['ceiling.net.rtt.p99'], about: 'remote.call with both nodes on the net carrier (ZMTP on node:net)' },
  'remote.call.net.bytes': { unit: 'bytes', better: LOWER, about: 'remote.call.bytes on the net carrier' },
  'remote.call.zmq.bytes': { unit: 'bytes', better: LOWER, about: 'remote.call.bytes on the zmq carrier' },
  'remote.call.zmq.p50': { unit: 'us', better: LOWER, ceilings: ['ceiling.zmq.rtt.p50'], about: 'remote.call with both nodes on the zmq carrier (zeromq.js)' },
  'remote.call.zmq.p99': { unit: 'us', better: LOWER, ceilings: ['ceiling.zmq.rtt.p99'], about: 'remote.call with both nodes on the zmq carrier (zeromq.js)' },
  'genserver.call.local.rate': { unit: 'calls/s', better: HIGHER, about: 'sequential GenServer calls to an echo server on the same node' },
  'genserver.call.local.p50': { unit: 'us', better: LOWER },
  'genserver.call.local.p99': { unit: 'us', better: LOWER },
  'genserver.call.remote.rate': { unit: 'calls/s', better: HIGHER, about: 'sequential GenServer calls to an echo server on a peer node' },
  'genserver.call.remote.p50': { unit: 'us', better: LOWER, relTargets: [{ of: 'remote.call.p50', times: 1.1 }], ceilings: ['ceiling.net.rtt.p50', 'ceiling.zmq.rtt.p50'] },
  'genserver.call.remote.p99': { unit: 'us', better: LOWER, ceilings: ['ceiling.net.rtt.p99', 'ceiling.zmq.rtt.p99'] },
  'supervisor.restart': { unit: 'restarts/s', better: HIGHER, about: 'a one_for_one supervisor restarting a crashing GenServer child' },
  'harness.start.local5': { unit: 's', better: LOWER, target: 2, about: '5 local node processes up and meshed' },
  'harness.start.local50': { unit: 's', better: LOWER, about: '50 local node processes up and meshed (target: runs on this machine)' },
  'harness.start.containers5': { unit: 's', better: LOWER, target: 10, about: '5 node containers up and meshed (needs Docker)' },
  'registry.register.n1': { unit: 'regs/s', better: HIGHER, target: 50_000, about: 'pipelined registrations from one node until every member holds every name, 1 node' },
  'registry.register.n2': { unit: 'regs/s', better: HIGHER, target: 50_000, about: 'the same, 2 nodes' },
  'registry.register.n4': { unit: 'regs/s', better: HIGHER, target: 50_000, about: 'the same, 4 nodes' },
  'registry.register.n6': { unit: 'regs/s', better: HIGHER, target: 50_000, about: 'the same, 6 nodes' },
  'registry.register.flatness': { unit: 'x', better: HIGHER, target: 0.7, about: 'registry.register.n6 / registry.register.n1 of the same run' },
  'registry.register.partitioned.n6': { unit: 'regs/s', better: HIGHER, target: 50_000, about: 'partitioned scope (2 replicas), 6 nodes, until every holder has its copy' },
  'registry.whereis': { unit: 'lookups/s', better: HIGHER, target: 2e6, about: 'whereis on a member, for names of processes of another node' },
  'registry.whereis.home': { unit: 'lookups/s', better: HIGHER, about: 'whereis on the node of the processes (a liveness check per lookup)' },
  'registry.visible.p50': { unit: 'ms', better: LOWER, target: 5, about: 'register ok on A until B resolves the name (round trip back to A)' },
  'registry.visible.p99': { unit: 'ms', better: LOWER },
  'registry.cleanup.100k': { unit: 'ms', better: LOWER, target: 500, targetN: 100_000, about: 'SIGKILL of a node holding 100 k names until no other member resolves them' },
  'pg.join.groups100': { unit: 'joins/s', better: HIGHER, target: 200_000, about: '100 k pids join 100 groups until the peer shows them all' },
  'pg.join.groups1': { unit: 'joins/s', better: HIGHER, target: 200_000, about: '100 k pids join one group until the peer shows them all' },
  'pg.visible.p50': { unit: 'ms', better: LOWER, target: 50, about: 'join on A until members on B lists the pid (round trip back to A)' },
  'pg.visible.p99': { unit: 'ms', better: LOWER },
  'sgroups.connections.n64': { unit: 'connections', better: LOWER, target: 9.5, targetN: 64, about: 'mean connections per node, 64 nodes in a ring of 8 s_groups (full mesh: 63)' },
  'sgroups.change.p50': { unit: 'ms', better: LOWER, target: 20, about: 'an agreed change adding one node to a group of 9 (and removing it), on the proposer' },
  'sgroups.change.p99': { unit: 'ms', better: LOWER },
  'sgroups.register.n8': { unit: 'regs/s', better: HIGHER, target: 50_000, about: 'pipelined registrations in a replicated scope of 8 members (an s_group\'s name space)' },
  // Placement targets: from the placement issue (not DESIGN.md section 4).
  'placement.choose.n1000': {
    unit: 'decisions/s',
    better: HIGHER,
    target: 100_000,
    ceilings: ['placement.choose.n1000.static', 'placement.choose.n1000.naive'],
    about: 'chooseNode(spec const: where + near within region + least_loaded) over 1,000 known nodes, 1,000 reports/s arriving',
  },
  'placement.choose.n1000.compiled': { unit: 'decisions/s', better: HIGHER, about: 'the same with placement.compile(spec) once' },
  'placement.choose.n1000.static': { unit: 'decisions/s', better: HIGHER, about: 'the same with no reports arriving' },
  'placement.choose.n1000.naive': { unit: 'decisions/s', better: HIGHER, about: 'baseline: every decision filters all 1,000 entries, then power of two choices' },
  'placement.choose.n1000.inline': { unit: 'decisions/s', better: HIGHER, about: 'chooseNode with a new spec object literal per call' },
  'placement.spawn.overhead': { unit: 'x', better: LOWER, target: 1.1, about: 'p50 of spawnPlaced / p50 of spawnRemote to the same peer node, alternating' },
  'placement.spawn.placed.p50': { unit: 'us', better: LOWER, about: 'spawnPlaced round trip (one decision, one remote spawn)' },
  'placement.spawn.remote.p50': { unit: 'us', better: LOWER, about: 'spawnRemote round trip to the same node' },
  'placement.attr.visible.p50': { unit: 'ms', better: LOWER, target: 100, about: "setAttribute on A until chooseNode on B picks A by it" },
  'placement.attr.visible.p99': { unit: 'ms', better: LOWER },
  'placement.attr.refresh.p50': { unit: 'ms', better: LOWER, about: 'a built-in attribute (processes) changes on A until chooseNode on B sees it (refresh 1 s)' },
  // Failure detection targets: from issue 10, section 4 (Erlang/OTP figures quoted there).
  'remote.down.p50': { unit: 'us', better: LOWER, target: 51, ceilings: ['remote.down.message.p50'], about: "a remote process's exit until its watcher's DOWN (target: 1.5 x Erlang's ~34 us)" },
  'remote.down.message.p50': { unit: 'us', better: LOWER, about: "the victim's last message before its exit, send to receipt: a one-way remote message, the floor of remote.down" },
  'remote.down.p99': { unit: 'us', better: LOWER },
  'nodedown.kill.p50': { unit: 'ms', better: LOWER, target: 10, ceilings: ['nodedown.kill.floor.p50'], about: 'SIGKILL of a peer node process until nodedown here' },
  'nodedown.kill.max': { unit: 'ms', better: LOWER },
  'nodedown.kill.floor.p50': { unit: 'ms', better: LOWER, about: 'the same SIGKILL until a raw TCP connection to the same process ends (the kernel\'s part)' },
  'nodedown.freeze': { unit: 'x tick', better: LOWER, target: 1.25, about: 'SIGSTOP of a peer node process until nodedown here, median, as a fraction of netTickTime' },
  'nodedown.freeze.max': { unit: 'x tick', better: LOWER },
  'nodedown.freeze.liveness': { unit: 'x tick', better: LOWER, target: 1.25, about: 'nodedown.freeze with the liveness side-channel on both nodes (SIGSTOP stops its thread too)' },
  'nodedown.freeze.liveness.max': { unit: 'x tick', better: LOWER },
  'busy.falsedown': { unit: 'nodedowns', better: LOWER, target: 0, about: 'nodedowns seen while one of 3 nodes is busy for 2 x netTickTime, liveness side-channel on' },
  'busy.falsedown.off': { unit: 'nodedowns', better: LOWER, about: 'the same without the liveness side-channel (what it is for)' },
};

/** The metric names a scenario reports (ceiling.zmq -> ceiling.zmq.single, ceiling.zmq.batch64). */
export function metricsOf(scenarioId) {
  const listed = SCENARIOS.find((s) => s.id === scenarioId)?.metrics;
  if (listed) return listed;
  if (scenarioId === 'spawn.rate') return ['spawn.time', 'spawn.rate'];
  if (scenarioId === 'remote.call') return ['remote.call.p50', 'remote.call.p99', 'remote.call.bytes', 'remote.call.callback.p50', 'remote.call.callback.p99'];
  return Object.keys(METRICS).filter((m) => m === scenarioId || m.startsWith(`${scenarioId}.`));
}

/** Whether `value` meets the metric's target; undefined when there is no applicable target. */
export function meetsTarget(name, value, n) {
  const m = METRICS[name];
  if (!m || m.target === undefined || !Number.isFinite(value)) return undefined;
  if (m.targetN !== undefined && n !== m.targetN) return undefined;
  return m.better === HIGHER ? value >= m.target : value <= m.target;
}
