// Starting a peer program (a child process on this machine) and talking to it by lines on
// stdout. Peers exit when their stdin closes, so a peer never outlives the scenario that started it.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * Start `command args` and return { child, nextLine(predicate, timeoutMs), stop() }.
 * nextLine resolves with the first stdout line (from now on, or already buffered) for which
 * predicate(line) is true, or rejects on timeout or when the peer exits first.
 */
export function startPeer(command, args, { env, label = command } = {}) {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const lines = [];
  const waiters = [];
  let stderr = '';
  let exited = null;
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    for (const w of [...waiters]) w.check();
  });
  child.on('exit', (code, signal) => {
    exited = { code, signal };
    for (const w of [...waiters]) w.fail(new Error(`${label} exited (${signal ?? code}) ${stderr.trim()}`));
  });

  function nextLine(predicate, timeoutMs = 30_000) {
    return new Promise((resolve, reject) => {
      const w = {
        check() {
          const i = lines.findIndex(predicate);
          if (i < 0) return;
          const [line] = lines.splice(i, 1);
          done();
          resolve(line);
        },
        fail(err) {
          done();
          reject(err);
        },
      };
      const timer = setTimeout(() => w.fail(new Error(`${label}: no expected line within ${timeoutMs} ms. ${stderr.trim()}`)), timeoutMs);
      function done() {
        clearTimeout(timer);
        waiters.splice(waiters.indexOf(w), 1);
      }
      waiters.push(w);
      w.check();
      if (exited && waiters.includes(w)) w.fail(new Error(`${label} had exited (${exited.signal ?? exited.code}) ${stderr.trim()}`));
    });
  }

  /** Close the peer's stdin (it exits by itself); kill it by pid if it has not exited after graceMs. */
  async function stop(graceMs = 2000) {
    if (exited) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
  }

  return { child, nextLine, stop, stderr: () => stderr };
}
