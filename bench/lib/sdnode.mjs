// Shared plumbing of the sdnode scenarios: loading the built @sdnode/core, starting a node with
// the bench process types, running a driver inside a process, and starting the peer node program.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { defineBenchTypes } from './sdnode-types.mjs';
import { defineOtpBenchTypes } from './otp-types.mjs';
import { startPeer } from './children.mjs';

const PEER = fileURLToPath(new URL('../peers/sdnode-peer.mjs', import.meta.url));

/**
 * The built core (libs/core/dist) and the bench types; a clear error when it is not built yet.
 * SDNODE_BENCH_CORE=<path or package> benchmarks another build of the core instead.
 * The OTP behaviours (libs/otp/dist, or SDNODE_BENCH_OTP) are loaded too when built: `otp` is
 * null otherwise, and their types are left out.
 */
export async function loadCore() {
  const specifier = process.env.SDNODE_BENCH_CORE ?? '@sdnode/core';
  let core;
  try {
    core = await import(specifier);
  } catch (err) {
    throw new Error(`cannot load ${specifier} (build it: npx tsc -b tsconfig.build.json): ${err.message}`);
  }
  for (const name of ['Node', 'defineProcess']) {
    if (!core[name]) throw new Error(`@sdnode/core does not export ${name} yet (is libs/core built?)`);
  }
  // With SDNODE_BENCH_CORE, the default @sdnode/otp would load this checkout's core and wire
  // beside the other build: two wire copies register their CBOR tags and decoded pids and refs
  // become instances of the wrong classes. So the OTP types then come only from SDNODE_BENCH_OTP.
  const otpSpecifier = process.env.SDNODE_BENCH_OTP ?? (process.env.SDNODE_BENCH_CORE ? null : '@sdnode/otp');
  let otp = null;
  let otpError = null;
  try {
    if (otpSpecifier === null) throw new Error('SDNODE_BENCH_CORE is set: set SDNODE_BENCH_OTP to an @sdnode/otp built against that core');
    otp = await import(otpSpecifier);
    if (!otp.GenServer || !otp.Supervisor) throw new Error(`${otpSpecifier} does not export GenServer and Supervisor`);
  } catch (err) {
    otp = null;
    otpError = `cannot load ${otpSpecifier ?? '@sdnode/otp'} (build it: npx tsc -b tsconfig.build.json): ${err.message}`;
  }
  const types = defineBenchTypes(core);
  const otpTypes = otp ? defineOtpBenchTypes(otp) : { all: [] };
  return { core, otp, otpError, types: { ...types, ...otpTypes, all: [...types.all, ...otpTypes.all] } };
}

/** loadCore, requiring the OTP behaviours (the genserver.* and supervisor.* scenarios). */
export async function loadOtp() {
  const loaded = await loadCore();
  if (!loaded.otp) throw new Error(loaded.otpError);
  return loaded;
}

/** A logger that drops everything (scenarios where the runtime logs per event, e.g. restarts). */
export const silentLogger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silentLogger };

/** A node name unique to this OS process: bench_<role>_<pid>@127.0.0.1. */
export function nodeName(role) {
  return `bench_${role}_${process.pid}@127.0.0.1`;
}

export function newCookie() {
  return randomBytes(12).toString('hex');
}

/**
 * The transport carrier the sdnode nodes of a scenario use: SDNODE_CARRIER=zmq|net (inherited by
 * the peer node programs), or unset for the core's default. A scenario given `carrier=<name>`
 * sets it with useCarrier before starting any node.
 */
export function benchCarrier() {
  const carrier = process.env.SDNODE_CARRIER;
  return carrier === undefined || carrier === '' ? undefined : carrier;
}

export function useCarrier(carrier) {
  if (carrier !== undefined) process.env.SDNODE_CARRIER = carrier;
}

/** The carrier option for Node.start (empty when the default is wanted). */
export function carrierOption() {
  const carrier = benchCarrier();
  return carrier === undefined ? {} : { carrier };
}

/** Start a node with the bench process types: on loopback, or local-only (no transport) if `local`. */
export function startNode({ core, types }, { role, local = false, cookie = newCookie(), name = nodeName(role), logger }) {
  const network = local ? { transport: null } : { listen: 'tcp://127.0.0.1:0', ...carrierOption() };
  return core.Node.start({ name, cookie, types: types.all, ...network, ...(logger ? { logger } : {}) });
}

/** Receive matchers (a matcher returns the message to take it, undefined to leave it). */
export const isDone = (m) => (m !== null && typeof m === 'object' && m.done === true ? m : undefined);
export const isSynced = (m) => (m === 'synced' ? m : undefined);

/** The address (ZeroMQ endpoint) a started node listens on. */
export function listenAddress(node) {
  const address = typeof node.address === 'function' ? node.address() : node.address;
  if (typeof address !== 'string') throw new Error('cannot tell the listen address of the node (node.address)');
  return address;
}

/** Run `fn(ctx)` as a process on `node`; resolves with what it returns, rejects with what it throws. */
export function inProcess(node, fn) {
  return new Promise((resolve, reject) => {
    node.spawnFn(async (ctx) => {
      try {
        resolve(await fn(ctx));
      } catch (err) {
        reject(err);
      }
    });
  });
}

/** Let the event loop turn (I/O, timers, other processes) before continuing. */
export function yieldTurn() {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Stop a node, but do not wait more than `ms` for it. */
export async function stopNode(node, ms = 5000) {
  let timer;
  await Promise.race([node.stop(), new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

/**
 * Start the peer node program (bench/peers/sdnode-peer.mjs) in a child process with `cookie`;
 * resolves with { name, address, stop() } once it listens.
 */
export async function startPeerNode(cookie) {
  const name = `bench_peer_${process.pid}_${randomBytes(2).toString('hex')}@127.0.0.1`;
  const peer = startPeer(process.execPath, [PEER, name], { env: { SDNODE_BENCH_COOKIE: cookie }, label: 'sdnode peer node' });
  try {
    const line = await peer.nextLine((l) => l.startsWith('READY '), 30_000);
    const { address } = JSON.parse(line.slice(6));
    return { name, address, stop: () => peer.stop(5000) };
  } catch (err) {
    await peer.stop();
    throw err;
  }
}
