// Child processes of the benchmark: scenario programs (run to completion, their figures collected
// from `RESULT {json}` lines) and peers (long-running programs talked to by lines on stdout, which
// exit when their stdin closes, so a peer never outlives whoever started it). A child that runs past
// its time limit is killed by its pid.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * Run a scenario program to completion; resolves with the RESULT objects it printed, rejects with
 * the informative part of its stderr when it fails or times out.
 */
export function runProgram(command, args, { timeoutMs = 120_000, env, label = command } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    const results = [];
    let stderr = '';
    let timedOut = false;
    child.stderr.on('data', (d) => {
      stderr = (stderr + d).slice(-4000);
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.startsWith('RESULT ')) return;
      try {
        results.push(JSON.parse(line.slice(7)));
      } catch {
        stderr += `\nunparsable result line: ${line}`;
      }
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) return reject(new Error(`${label}: no result within ${timeoutMs / 1000} s`));
      if (code !== 0) return reject(new Error(`${label} failed (${signal ?? `exit ${code}`}): ${lastLines(stderr)}`));
      resolve(results);
    });
  });
}

/** The informative part of a failure's stderr: its lines without stack frames, at most `count`. */
function lastLines(text, count = 4) {
  const lines = text
    .trim()
    .split('\n')
    .filter((l) => l.trim() && !/^\s+at\s|^Node\.js v|^\s*[{}]\s*$|^\s*\^+\s*$/.test(l));
  return lines.slice(0, count).join(' | ') || 'no output';
}

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
