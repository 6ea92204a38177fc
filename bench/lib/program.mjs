// Running one scenario program (a child process) and collecting the figures it reports as
// `RESULT {json}` lines. A program that fails, or runs past its time limit (it is then killed by
// pid), rejects with the tail of its stderr.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

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
