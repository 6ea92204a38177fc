import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExitReasons, Pid, type ExitReason } from '@sdnode/wire';
import { Node, defineProcess, isDownMessage, type ProcessContext } from './index.js';
import { localNode } from './wait-until.test-util.js';

let node: Node;
beforeEach(async () => {
  node = await localNode();
});
afterEach(async () => {
  await node.stop();
});

const Idle = defineProcess('exit-watch.idle', async (ctx: ProcessContext) => {
  await ctx.receive((m) => (m === 'stop' ? m : undefined));
});

/**
 * Kill `pid` and resolve once its exit is complete: a monitor's DOWN is delivered in the same
 * step of the kernel's exit as the watches are told, so every listener has run by then.
 */
function killAndWait(pid: Pid, reason: ExitReason = ExitReasons.killed): Promise<void> {
  return node.run(async (ctx) => {
    const ref = ctx.monitor(pid);
    node.exit(pid, reason);
    await ctx.receive((m) => (isDownMessage(m) && m.ref.equals(ref) ? m : undefined), { timeout: 5000 });
  });
}

describe('Node.watchExits', () => {
  it('reports a watched process once, with its exit reason, and forgets it', async () => {
    const seen: Array<[string, ExitReason]> = [];
    const watch = node.watchExits((pid, reason) => seen.push([pid.key, reason]));
    const a = node.spawn(Idle);
    const b = node.spawn(Idle);
    expect(watch.add(a)).toBe(true);
    expect(watch.add(a)).toBe(true); // watching again: still one report
    expect(watch.size).toBe(1);
    await killAndWait(a, ExitReasons.other('gone'));
    await killAndWait(b); // not watched: not reported
    expect(seen).toEqual([[a.key, { kind: 'other', value: 'gone' }]]);
    expect(watch.size).toBe(0);
    expect(watch.has(a)).toBe(false);
  });

  it('uses no monitor: the watched process has no watcher and no message is sent', async () => {
    const watch = node.watchExits(() => undefined);
    const a = node.spawn(Idle);
    watch.add(a);
    expect(node.processInfo(a)?.monitoredBy).toBe(0);
    expect(watch.has(a)).toBe(true);
  });

  it('refuses pids that are gone, of another node or of an earlier incarnation', async () => {
    const watch = node.watchExits(() => undefined);
    const a = node.spawn(Idle);
    await killAndWait(a);
    expect(watch.add(a)).toBe(false);
    expect(watch.add(new Pid('other@127.0.0.1', a.id, node.creation))).toBe(false);
    const live = node.spawn(Idle);
    expect(watch.add(new Pid(node.name, live.id, node.creation + 1))).toBe(false);
    expect(watch.add(new Pid(node.name, 999_999, node.creation))).toBe(false);
    expect(watch.size).toBe(0);
  });

  it('reports a process that was already exiting when watched', async () => {
    const seen: string[] = [];
    const watch = node.watchExits((pid) => seen.push(pid.key));
    const a = node.spawn(Idle);
    const done = node.run(async (ctx) => {
      const ref = ctx.monitor(a);
      node.exit(a, ExitReasons.killed);
      expect(node.isAlive(a)).toBe(false); // exiting, not yet complete
      expect(watch.add(a)).toBe(true);
      await ctx.receive((m) => (isDownMessage(m) && m.ref.equals(ref) ? m : undefined), { timeout: 5000 });
    });
    await done;
    expect(seen).toEqual([a.key]);
  });

  it('delete and close stop the reports', async () => {
    const seen: string[] = [];
    const watch = node.watchExits((pid) => seen.push(pid.key));
    const a = node.spawn(Idle);
    const b = node.spawn(Idle);
    watch.add(a);
    watch.add(b);
    expect(watch.delete(a)).toBe(true);
    expect(watch.delete(a)).toBe(false);
    await killAndWait(a);
    watch.close();
    expect(watch.isOpen).toBe(false);
    expect(watch.add(node.spawn(Idle))).toBe(false);
    await killAndWait(b);
    expect(seen).toEqual([]);
  });

  it('tells every open watch; a listener that throws is logged and the exit completes', async () => {
    const seen: string[] = [];
    const failing = node.watchExits(() => {
      throw new Error('listener bug');
    });
    const other = node.watchExits((pid) => seen.push(pid.key));
    const a = node.spawn(Idle);
    failing.add(a);
    other.add(a);
    await killAndWait(a); // the monitor's DOWN still arrives
    expect(seen).toEqual([a.key]);
    expect(node.isAlive(a)).toBe(false);
    expect(node.processes().some((p) => p.equals(a))).toBe(false);
  });

  it('a listener may close its own watch and open another while being told', async () => {
    const seen: string[] = [];
    const a = node.spawn(Idle);
    const b = node.spawn(Idle);
    const first = node.watchExits(() => {
      first.close();
      const second = node.watchExits((pid) => seen.push(pid.key));
      second.add(b);
    });
    first.add(a);
    await killAndWait(a);
    await killAndWait(b);
    expect(seen).toEqual([b.key]);
  });
});
