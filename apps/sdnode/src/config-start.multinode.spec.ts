// `sdnode start --config FILE --node NAME` with real node processes on loopback: the node takes
// its name, cookie (from a cookie file) and tick from the cluster file. Needs the built CLI
// (`npm test` builds first).
import { afterEach, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../dist/main.js', import.meta.url));

interface Started {
  readonly child: ChildProcess;
  readonly events: Record<string, unknown>[];
  readonly stderr: string[];
}

/** Resolves with the first event matching `match` (already seen or future); rejects at the deadline. */
function waitForEvent(node: Started, match: (e: Record<string, unknown>) => boolean, what: string, timeoutMs = 15_000) {
  return new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setInterval(() => check(), 20);
    const deadline = setTimeout(() => {
      clearInterval(timer);
      reject(new Error(`no ${what} within ${timeoutMs} ms`));
    }, timeoutMs);
    const check = () => {
      const found = node.events.find(match);
      if (found) {
        clearInterval(timer);
        clearTimeout(deadline);
        resolve(found);
      }
    };
    check();
  });
}

describe('sdnode start --config', () => {
  let dir: string;
  const started: Started[] = [];

  const start = (...args: string[]): Started => {
    const child = spawn(process.execPath, [CLI, 'start', '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const node: Started = { child, events: [], stderr: [] };
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        node.events.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        node.events.push({ event: 'output', line });
      }
    });
    createInterface({ input: child.stderr! }).on('line', (line) => node.stderr.push(line));
    started.push(node);
    return node;
  };

  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  });

  afterEach(async () => {
    await Promise.all(
      started.splice(0).map(
        (n) =>
          new Promise<void>((resolve) => {
            if (n.child.exitCode !== null || n.child.signalCode !== null) return resolve();
            const kill = setTimeout(() => n.child.kill('SIGKILL'), 5000);
            n.child.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            n.child.kill('SIGTERM');
          }),
      ),
    );
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('starts two nodes of one cluster file that meet, with the cookie from the file the config names', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sdnode-config-start-'));
    writeFileSync(join(dir, 'cookie.txt'), 'config-start-secret\n');
    const file = join(dir, 'cluster.yaml');
    // Ports from the OS: nobody's address is known in advance, so b gets a's address by --seed.
    writeFileSync(
      file,
      'cookie: {file: cookie.txt}\nnetTickTime: 4s\ndefaults: {basePort: 0}\nnodes:\n  - {name: a, attributes: {role: db}}\n  - b\n',
    );
    onTestFailed(() => {
      for (const n of started) console.error(JSON.stringify(n.events), n.stderr.join('\n'));
    });

    const a = start('--config', file, '--node', 'a');
    const listening = await waitForEvent(a, (e) => e['event'] === 'listening', 'listening line of a');
    expect(listening).toMatchObject({ name: 'a@127.0.0.1', hidden: false, attributes: { role: 'db' } });

    const b = start('--config', file, '--node', 'b', '--seed', `a@127.0.0.1=${String(listening['address'])}`);
    await waitForEvent(b, (e) => e['event'] === 'nodeup' && e['node'] === 'a@127.0.0.1', 'nodeup of a on b');
    await waitForEvent(a, (e) => e['event'] === 'nodeup' && e['node'] === 'b@127.0.0.1', 'nodeup of b on a');
  });
});
