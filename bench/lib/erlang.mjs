// The Erlang/OTP side by side: finds `erl`, compiles bench/peers/erlang/*.erl into a temporary
// directory, and runs a scenario there — local ones in one VM, the others between a driver node
// and as many peer nodes as the scenario needs, distributed Erlang on loopback (-name/-setcookie,
// distribution and epmd bound to 127.0.0.1). Absent `erl`, `detectErlang` says why and the
// runner leaves the column empty.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { runProgram, startPeer } from './children.mjs';

const SOURCES = fileURLToPath(new URL('../peers/erlang/', import.meta.url));
const LOOPBACK_ENV = { ERL_EPMD_ADDRESS: '127.0.0.1' };
const LOOPBACK_ARGS = ['-kernel', 'inet_dist_use_interface', '{127,0,0,1}'];

function tryRun(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 20_000 }).trim();
  } catch {
    return null;
  }
}

/** { available: true, release, dir, cleanup() } or { available: false, reason }. */
export function detectErlang() {
  const release = tryRun('erl', ['-noshell', '-eval', 'io:format("~s", [erlang:system_info(otp_release)]), halt().']);
  if (release === null) return { available: false, reason: 'erl not found (apt-get install erlang-nox)' };
  const dir = mkdtempSync(join(tmpdir(), 'sdbench-erl-'));
  const sources = readdirSync(SOURCES).filter((f) => f.endsWith('.erl')).map((f) => join(SOURCES, f));
  try {
    execFileSync('erlc', ['-o', dir, ...sources], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    return { available: false, reason: `erlc failed: ${String(err.stderr ?? err.message).trim()}` };
  }
  const epmdWasUp = tryRun('epmd', ['-names']) !== null;
  return {
    available: true,
    release,
    dir,
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
      // The first distributed node starts epmd as a daemon; stop it if this run started it.
      // `epmd -kill` refuses while any node (someone else's) is still registered.
      if (!epmdWasUp) tryRun('epmd', ['-kill']);
    },
  };
}

/**
 * Run one Erlang scenario; resolves with the RESULT objects it printed. `peers`: how many peer
 * nodes it needs (started in parallel before the driver node; their names are its arguments
 * after <n>; each halts when its stdin closes, or when the scenario halts it).
 */
export async function runErlangScenario(erlang, { scenario, n, peers = 0, timeoutMs }) {
  const vmArgs = ['-noshell', '+P', '2000000', '-pa', erlang.dir];
  if (peers === 0) {
    return runProgram('erl', [...vmArgs, '-run', 'sdbench_main', 'main', scenario, String(n)], { timeoutMs, label: `erl ${scenario}` });
  }
  const tag = `sdbench_${process.pid}_${randomBytes(3).toString('hex')}`;
  const cookie = randomBytes(12).toString('hex');
  const dist = ['-setcookie', cookie, ...LOOPBACK_ARGS];
  const started = Array.from({ length: peers }, (_, i) =>
    startPeer('erl', [...vmArgs, '-name', `${tag}_p${i + 1}@127.0.0.1`, ...dist, '-s', 'sdbench_main', 'peer'], {
      env: LOOPBACK_ENV,
      label: `erlang peer node ${i + 1}`,
    }),
  );
  try {
    const names = await Promise.all(started.map(async (peer) => (await peer.nextLine((l) => l.startsWith('READY '), 20_000)).slice(6)));
    const args = [...vmArgs, '-name', `${tag}_a@127.0.0.1`, ...dist, '-run', 'sdbench_main', 'main', scenario, String(n), ...names];
    return await runProgram('erl', args, { timeoutMs, env: LOOPBACK_ENV, label: `erl ${scenario}` });
  } finally {
    await Promise.all(started.map((peer) => peer.stop()));
  }
}
