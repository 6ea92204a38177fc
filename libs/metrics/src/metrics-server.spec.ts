import { afterEach, describe, expect, it } from 'vitest';
import { Node } from '@sdnode/core';
import { AbortedError, InvalidArgumentError } from '@sdnode/wire';
import { MetricsServerError, formatHostPort, parseMetricsAddress, startMetricsServer, type MetricsServer } from './metrics-server.js';
import { NodeMetrics } from './node-metrics.js';
import { MemoryNetwork, full, startMember, value, waitForScrape, type MetricsMember } from './metrics-testing.test-util.js';

const get = async (url: string, init: RequestInit = {}): Promise<{ status: number; type: string | null; body: string }> => {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
};

describe('startMetricsServer', () => {
  const members: MetricsMember[] = [];
  const servers: MetricsServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
    await Promise.all(members.splice(0).map((m) => m.node.stop()));
  });

  it('serves /metrics on a port from the OS, and the values move as the cluster changes', async () => {
    const network = new MemoryNetwork();
    const a = await startMember(network, 'a');
    members.push(a);
    const server = await startMetricsServer(a.node, { host: '127.0.0.1', port: 0, metrics: a.metrics });
    servers.push(server);
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/metrics`);
    const scrape = async (): Promise<string> => {
      const r = await get(server.url);
      expect(r.status).toBe(200);
      expect(r.type).toMatch(/^text\/plain; version=0\.0\.4/);
      return r.body;
    };
    expect(value(await scrape(), 'sdnode_connections', { kind: 'visible', node: full('a') })).toBe(0);

    const b = await startMember(network, 'b');
    members.push(b);
    await b.node.connect(full('a'), { address: a.node.address!, timeout: 5000 });
    const up = await waitForScrape(scrape, (t) => value(t, 'sdnode_connections', { kind: 'visible' }) === 1, 'b connected');
    expect(value(up, 'sdnode_nodeup_total', { hidden: 'false' })).toBe(1);
    expect(value(up, 'sdnode_registry_members', { scope: 'global' })).toBeGreaterThanOrEqual(1);

    // A hidden node (a tool) is counted apart.
    const tool = await startMember(network, 'tool', { hidden: true });
    members.push(tool);
    await tool.node.connect(full('a'), { address: a.node.address!, timeout: 5000 });
    const hidden = await waitForScrape(scrape, (t) => value(t, 'sdnode_connections', { kind: 'hidden' }) === 1, 'the hidden tool');
    expect(value(hidden, 'sdnode_nodeup_total', { hidden: 'true' })).toBe(1);
    expect(value(hidden, 'sdnode_connections', { kind: 'visible' })).toBe(1);

    await b.node.stop();
    const down = await waitForScrape(scrape, (t) => value(t, 'sdnode_connections', { kind: 'visible' }) === 0, 'b gone');
    expect(value(down, 'sdnode_nodedown_total', { hidden: 'false', reason: 'peer_closed' }) ?? value(down, 'sdnode_nodedown_total', { hidden: 'false', reason: 'closed' })).toBe(1);
  });

  it('answers 404 elsewhere, 405 to other methods, and HEAD without a body', async () => {
    const node = await Node.start({ name: 'solo@127.0.0.1', cookie: 'c', transport: null });
    try {
      const server = await startMetricsServer(node, { port: 0 });
      expect((await get(`http://127.0.0.1:${server.port}/`)).status).toBe(404);
      expect((await get(server.url, { method: 'POST', body: 'x' })).status).toBe(405);
      const head = await get(server.url, { method: 'HEAD' });
      expect([head.status, head.body]).toEqual([200, '']);
      await server.close();
    } finally {
      await node.stop();
    }
  });

  it('fails with MetricsServerError when the port is taken, and closes what it created', async () => {
    const node = await Node.start({ name: 'solo@127.0.0.1', cookie: 'c', transport: null });
    try {
      const first = await startMetricsServer(node, { port: 0 });
      const metrics = NodeMetrics.create(node);
      const error = await startMetricsServer(node, { port: first.port, metrics }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MetricsServerError);
      expect((error as MetricsServerError).reason).toBe('EADDRINUSE');
      expect(metrics.isClosed).toBe(false); // given, not created: left open
      await expect(startMetricsServer(node, { port: 70000 })).rejects.toThrow(InvalidArgumentError);
      await first.close();
      metrics.close();
    } finally {
      await node.stop();
    }
  });

  it('closes when its signal aborts, and when the node stops', async () => {
    const node = await Node.start({ name: 'solo@127.0.0.1', cookie: 'c', transport: null });
    const controller = new AbortController();
    const server = await startMetricsServer(node, { port: 0, signal: controller.signal });
    expect((await get(server.url)).status).toBe(200);
    controller.abort();
    await server.close(); // the same close: resolves once closed
    await expect(get(server.url)).rejects.toThrow();
    expect(server.metrics.isClosed).toBe(true);
    await expect(startMetricsServer(node, { port: 0, signal: controller.signal })).rejects.toThrow(AbortedError);

    const second = await startMetricsServer(node, { port: 0 });
    await node.stop();
    await expect(get(second.url)).rejects.toThrow();
    expect(second.metrics.isClosed).toBe(true);
  });
});

describe('parseMetricsAddress', () => {
  it('reads HOST:PORT with IPv4, names and bracketed IPv6', () => {
    expect(parseMetricsAddress('127.0.0.1:9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseMetricsAddress('0.0.0.0:0')).toEqual({ host: '0.0.0.0', port: 0 });
    expect(parseMetricsAddress('localhost:65535')).toEqual({ host: 'localhost', port: 65535 });
    expect(parseMetricsAddress('node-1.example.com:80')).toEqual({ host: 'node-1.example.com', port: 80 });
    expect(parseMetricsAddress('[::1]:9464')).toEqual({ host: '::1', port: 9464 });
  });

  it.each(['', '9464', '127.0.0.1', '127.0.0.1:', ':9464', '127.0.0.1:65536', '127.0.0.1:-1', '127.0.0.1:94a', 'tcp://127.0.0.1:9464', '::1:9464', '[localhost]:1', 'bad_host:1', '[::1]'])(
    'refuses %j with InvalidArgumentError naming the flag',
    (bad) => {
      let error: unknown;
      try {
        parseMetricsAddress(bad);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).argument).toBe('--metrics');
      expect((error as Error).message).toContain('HOST:PORT');
    },
  );

  it('names another argument when asked, and formats addresses back', () => {
    expect(() => parseMetricsAddress('x', 'metrics')).toThrow(/invalid metrics/);
    expect(formatHostPort('::1', 80)).toBe('[::1]:80');
    expect(formatHostPort('127.0.0.1', 80)).toBe('127.0.0.1:80');
  });
});
