// What the benchmark measures: the scenarios (each one program for sdnode and, where it has
// one, a counterpart on Erlang/OTP) and the figures they report, with the targets of DESIGN.md
// section 4. Targets are goals, not results: every reported value and baseline is measured in
// the same run.

/**
 * Scenarios in run order. `n` is the work size (messages, processes or calls) for a full run
 * and for --quick; `erlang` names the Erlang scenario; `remote` needs two Erlang nodes.
 */
export const SCENARIOS = [
  { id: 'ceiling.cbor', script: 'ceiling-cbor.mjs', n: { full: 1_000_000, quick: 200_000 } },
  { id: 'ceiling.zmq', script: 'ceiling-zmq.mjs', n: { full: 6_400_000, quick: 1_280_000 } },
  { id: 'local.oneway', script: 'local-oneway.mjs', erlang: 'local_oneway', n: { full: 4_000_000, quick: 500_000 } },
  { id: 'local.pingpong', script: 'local-pingpong.mjs', erlang: 'local_pingpong', n: { full: 2_000_000, quick: 400_000 } },
  { id: 'spawn.rate', script: 'spawn-rate.mjs', erlang: 'spawn_rate', n: { full: 1_000_000, quick: 100_000 } },
  { id: 'process.bytes', script: 'process-bytes.mjs', erlang: 'process_bytes', nodeArgs: ['--expose-gc'], n: { full: 100_000, quick: 20_000 } },
  { id: 'remote.oneway', script: 'remote-oneway.mjs', erlang: 'remote_oneway', remote: true, n: { full: 1_000_000, quick: 200_000 } },
  { id: 'remote.call', script: 'remote-call.mjs', erlang: 'remote_call', remote: true, n: { full: 20_000, quick: 3_000 } },
  // The OTP behaviours (libs/otp).
  { id: 'genserver.call.local', script: 'genserver-call.mjs', args: ['where=local'], erlang: 'genserver_call_local', n: { full: 200_000, quick: 30_000 } },
  { id: 'genserver.call.remote', script: 'genserver-call.mjs', args: ['where=remote'], erlang: 'genserver_call_remote', remote: true, n: { full: 20_000, quick: 3_000 } },
  { id: 'supervisor.restart', script: 'supervisor-restart.mjs', erlang: 'supervisor_restart', n: { full: 20_000, quick: 3_000 } },
  // The test harness: n nodes started and meshed (`args` are passed to the script as key=value).
  { id: 'harness.start.local5', script: 'harness-start.mjs', args: ['mode=local'], n: { full: 5, quick: 5 } },
  { id: 'harness.start.local50', script: 'harness-start.mjs', args: ['mode=local'], n: { full: 50, quick: 50 } },
  { id: 'harness.start.containers5', script: 'harness-start.mjs', args: ['mode=containers'], n: { full: 5, quick: 5 } },
];

const HIGHER = 'higher';
const LOWER = 'lower';

/**
 * Figures by name. `better` says which direction is an improvement; `target` comes from
 * DESIGN.md section 4 (`targetN`: the target applies only when that many were measured);
 * `ceilings`: the figure is also reported as a fraction of these ceilings.
 */
export const METRICS = {
  'ceiling.cbor': { unit: 'msgs/s', better: HIGHER, about: 'raw cbor-x encode+decode, default options' },
  'ceiling.cbor.seq': { unit: 'msgs/s', better: HIGHER, about: 'raw cbor-x encode+decode, sequential structures' },
  'ceiling.zmq.single': { unit: 'msgs/s', better: HIGHER, about: 'raw zeromq.js PUSH/PULL, 1 message per frame' },
  'ceiling.zmq.batch64': { unit: 'msgs/s', better: HIGHER, about: 'raw zeromq.js PUSH/PULL, 64 messages per frame' },
  'ceiling.zmq.rtt.p50': { unit: 'us', better: LOWER, about: 'raw zeromq.js PAIR round trip to an echo process' },
  'ceiling.zmq.rtt.p99': { unit: 'us', better: LOWER, about: 'raw zeromq.js PAIR round trip to an echo process' },
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
  'remote.call.p50': { unit: 'us', better: LOWER, target: 78, ceilings: ['ceiling.zmq.rtt.p50'] },
  'remote.call.p99': { unit: 'us', better: LOWER, target: 150, ceilings: ['ceiling.zmq.rtt.p99'] },
  'remote.call.callback.p50': { unit: 'us', better: LOWER, ceilings: ['ceiling.zmq.rtt.p50'], about: 'remote.call from a callback-style caller' },
  'remote.call.callback.p99': { unit: 'us', better: LOWER, ceilings: ['ceiling.zmq.rtt.p99'], about: 'remote.call from a callback-style caller' },
  'genserver.call.local.rate': { unit: 'calls/s', better: HIGHER, about: 'sequential GenServer calls to an echo server on the same node' },
  'genserver.call.local.p50': { unit: 'us', better: LOWER },
  'genserver.call.local.p99': { unit: 'us', better: LOWER },
  'genserver.call.remote.rate': { unit: 'calls/s', better: HIGHER, about: 'sequential GenServer calls to an echo server on a peer node' },
  'genserver.call.remote.p50': { unit: 'us', better: LOWER, ceilings: ['ceiling.zmq.rtt.p50'] },
  'genserver.call.remote.p99': { unit: 'us', better: LOWER, ceilings: ['ceiling.zmq.rtt.p99'] },
  'supervisor.restart': { unit: 'restarts/s', better: HIGHER, about: 'a one_for_one supervisor restarting a crashing GenServer child' },
  'harness.start.local5': { unit: 's', better: LOWER, target: 2, about: '5 local node processes up and meshed' },
  'harness.start.local50': { unit: 's', better: LOWER, about: '50 local node processes up and meshed (target: runs on this machine)' },
  'harness.start.containers5': { unit: 's', better: LOWER, target: 10, about: '5 node containers up and meshed (needs Docker)' },
};

/** The metric names a scenario reports (ceiling.zmq -> ceiling.zmq.single, ceiling.zmq.batch64). */
export function metricsOf(scenarioId) {
  if (scenarioId === 'spawn.rate') return ['spawn.time', 'spawn.rate'];
  if (scenarioId === 'remote.call') return ['remote.call.p50', 'remote.call.p99', 'remote.call.callback.p50', 'remote.call.callback.p99'];
  return Object.keys(METRICS).filter((m) => m === scenarioId || m.startsWith(`${scenarioId}.`));
}

/** Whether `value` meets the metric's target; undefined when there is no applicable target. */
export function meetsTarget(name, value, n) {
  const m = METRICS[name];
  if (!m || m.target === undefined || !Number.isFinite(value)) return undefined;
  if (m.targetN !== undefined && n !== m.targetN) return undefined;
  return m.better === HIGHER ? value >= m.target : value <= m.target;
}
