import { describe, expect, it } from 'vitest';
import { runCliCaptured } from '../cli-capture.test-util.js';

describe('sdnode observe', () => {
  it('says where the page is served, and how to choose it, in its help', async () => {
    const r = await runCliCaptured('observe', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain('--listen <host:port>');
    expect(r.out).toContain('--at <node|endpoint>');
    expect(r.out).toContain('--node-listen <endpoint>');
  });

  it('refuses bad flags before connecting to anything (exit 2)', async () => {
    const bad = await runCliCaptured('observe', '--at', 'tcp://127.0.0.1:1', '--on', 'n1', '--cookie', 'c', '--listen', 'http://127.0.0.1:80');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--listen: expected HOST:PORT');
    const noName = await runCliCaptured('observe', '--at', 'tcp://127.0.0.1:1', '--cookie', 'c');
    expect(noName.code).toBe(2);
    expect(noName.err).toContain('--on');
    const fast = await runCliCaptured('observe', '--at', 'tcp://127.0.0.1:1', '--on', 'n1', '--cookie', 'c', '--interval', '50ms');
    expect(fast.code).toBe(2);
    expect(fast.err).toContain('--interval');
  });

  it('fails (exit 1) when the node it starts from cannot be reached, and serves nothing', async () => {
    const r = await runCliCaptured('observe', '--at', 'tcp://127.0.0.1:1', '--on', 'n1@127.0.0.1', '--cookie', 'c', '--timeout', '500ms', '--listen', '127.0.0.1:0');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^sdnode: cannot reach n1@127\.0\.0\.1 at tcp:\/\/127\.0\.0\.1:1: /);
    expect(r.out).toBe('');
  });
});
