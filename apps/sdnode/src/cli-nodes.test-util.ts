// `sdnode start --json` node processes for multi-node specs of the CLI: start them, read their
// JSON event lines, wait for an event with a deadline, print every node's events and stderr when a
// test fails, and stop them all (SIGTERM, then SIGKILL) after each test. Needs the built CLI
// (`npm test` builds first).
import { afterEach, beforeAll, onTestFailed } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../dist/main.js', import.meta.url));

export type CliEvent = Record<string, unknown>;

export interface CliNode {
  readonly child: ChildProcess;
  /** Its stdout lines, parsed (a line that is not JSON: `{event: 'output', line}`). */
  readonly events: CliEvent[];
  readonly stderr: string[];
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
}

/** Resolves with the first event of `node` matching `match` (already seen or future); rejects at the deadline. */
export function waitForEvent(node: CliNode, match: (e: CliEvent) => boolean, what: string, timeoutMs = 15_000): Promise<CliEvent> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const found = node.events.find(match);
      if (found === undefined) return;
      clearInterval(timer);
      clearTimeout(deadline);
      resolve(found);
    };
    const timer = setInterval(check, 20);
    const deadline = setTimeout(() => {
      clearInterval(timer);
      reject(new Error(`no ${what} within ${timeoutMs} ms`));
    }, timeoutMs);
    check();
  });
}

/**
 * The nodes a spec starts (call at describe level: registers the build check and the clean-up).
 * `start(args, env)` runs `sdnode start --json ...args`.
 */
export function useCliNodes(): { start(args: readonly string[], env?: NodeJS.ProcessEnv): CliNode; reportOnFailure(): void } {
  const started: CliNode[] = [];

  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  });

  afterEach(async () => {
    await Promise.all(
      started.splice(0).map(async (n) => {
        if (n.child.exitCode !== null || n.child.signalCode !== null) return;
        const kill = setTimeout(() => n.child.kill('SIGKILL'), 5000);
        n.child.kill('SIGTERM');
        await n.exited;
        clearTimeout(kill);
      }),
    );
  });

  return {
    start(args, env = {}) {
      const child = spawn(process.execPath, [CLI, 'start', '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
      const events: CliEvent[] = [];
      const stderr: string[] = [];
      createInterface({ input: child.stdout! }).on('line', (line) => {
        try {
          events.push(JSON.parse(line) as CliEvent);
        } catch {
          events.push({ event: 'output', line });
        }
      });
      createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const node: CliNode = { child, events, stderr, exited };
      started.push(node);
      return node;
    },
    /** On failure of the running test, print every node's events and stderr. */
    reportOnFailure() {
      onTestFailed(() => {
        for (const n of started) console.error(`pid ${String(n.child.pid)} events ${JSON.stringify(n.events)}\n${n.stderr.join('\n')}`);
      });
    },
  };
}
