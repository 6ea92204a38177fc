import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@sdnode/wire';
import { Gatherer } from './gatherer.js';
import { ObserveServer, parseHostPort } from './http-server.js';
import { FakeSource, summary } from './observe-fakes.test-util.js';
import type { ClusterSnapshot } from './snapshot.js';
import { applyDiff, type SnapshotDiff } from './snapshot-diff.js';

const [A, B] = ['a@h1', 'b@h2'] as const;

/** Reads server-sent events from a fetch body: each `event:`/`data:` block, parsed. */
async function* events(body: ReadableStream<Uint8Array>): AsyncGenerator<{ event: string; data: unknown }> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event !== undefined && data !== undefined) yield { event, data: JSON.parse(data) };
    }
  }
}

describe('the observer\'s web server', () => {
  const closing: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closing.splice(0)) await close();
  });

  async function serve(): Promise<{ src: FakeSource; g: Gatherer; server: ObserveServer }> {
    const src = new FakeSource();
    src.answers.set(A, summary(A, { connections: { visible: [B], pointToPoint: [], hidden: [] } }));
    src.answers.set(B, summary(B, { connections: { visible: [A], pointToPoint: [], hidden: [] } }));
    const g = new Gatherer(src, { [A]: null });
    await g.round();
    await g.round();
    const server = await ObserveServer.start(src, () => g.snapshot, { host: '127.0.0.1', port: 0, timeout: 1000 });
    g.onSnapshot((s) => server.publish(s));
    closing.push(() => server.close());
    return { src, g, server };
  }

  it('serves the page, and the snapshot as JSON', async () => {
    const { server } = await serve();
    const page = await fetch(server.url, { signal: AbortSignal.timeout(5000) });
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('<svg id="graph"');
    expect(html).toContain("new EventSource('api/events')");
    const snap = (await (await fetch(`${server.url}api/snapshot`, { signal: AbortSignal.timeout(5000) })).json()) as ClusterSnapshot;
    expect(snap.nodes.map((n) => [n.name, n.status])).toEqual([
      [A, 'up'],
      [B, 'up'],
    ]);
    expect((await fetch(`${server.url}nothing`, { signal: AbortSignal.timeout(5000) })).status).toBe(404);
  });

  it('streams the snapshot, then the diffs of what changes', async () => {
    const { src, g, server } = await serve();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 10_000);
    try {
      const res = await fetch(`${server.url}api/events`, { signal: controller.signal });
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const stream = events(res.body!);
      const first = (await stream.next()).value!;
      expect(first.event).toBe('snapshot');
      let held = first.data as ClusterSnapshot;
      src.answers.set(B, new Error('gone'));
      src.answers.set(A, summary(A));
      await g.round();
      const next = (await stream.next()).value!;
      expect(next.event).toBe('diff');
      held = applyDiff(held, next.data as SnapshotDiff);
      expect(held).toEqual(g.snapshot);
      expect(held.nodes.find((n) => n.name === B)?.status).toBe('down');
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
  });

  it('answers 400 for a node it does not observe, and 502 when the node cannot be asked', async () => {
    const { src, server } = await serve();
    const unknown = await fetch(`${server.url}api/nodes/${encodeURIComponent('x@h9')}/processes`, { signal: AbortSignal.timeout(5000) });
    expect(unknown.status).toBe(400);
    src.processes = async () => {
      throw new Error('no connection');
    };
    const failed = await fetch(`${server.url}api/nodes/${encodeURIComponent(A)}/processes`, { signal: AbortSignal.timeout(5000) });
    expect(failed.status).toBe(502);
    expect(await failed.json()).toEqual({ error: 'no connection', name: 'Error' });
  });

  it('parses HOST:PORT', () => {
    expect(parseHostPort('--listen', '0.0.0.0:8080')).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(parseHostPort('--listen', '[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(() => parseHostPort('--listen', 'http://x:1')).toThrow(InvalidArgumentError);
    expect(() => parseHostPort('--listen', 'x:70000')).toThrow(InvalidArgumentError);
  });
});
