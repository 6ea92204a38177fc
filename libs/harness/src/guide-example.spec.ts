// The examples of docs/guides/testing.md, run as written (only the module path differs).
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isDownMessage } from '@sdnode/core';
import { useCluster } from './vitest.js';

const MODULE = fileURLToPath(new URL('./fixtures/cart-node.mjs', import.meta.url));

describe('the cart on three nodes (the testing guide)', () => {
  const cluster = useCluster({ nodes: 3, module: MODULE, netTickTime: 2_000 });

  it('keeps what a remote client adds', async () => {
    const c = cluster();
    const cart = await c.spawn('n2', 'shop.cart', [], { name: 'cart' });
    await c.send(cart, { add: 'apple' });
    await c.send({ name: 'cart', node: c.node('n2').name }, { add: 'pear' });
    expect(await c.call(cart, 'items')).toEqual(['apple', 'pear']);
    expect(await c.rpc('n3', 'shop.price', ['pear'])).toBe(2);
  });

  it('a monitor of a cart on a killed node gets DOWN noconnection', async () => {
    const c = cluster();
    const cart = await c.spawn('n3', 'shop.cart');
    const reason = await c.run(async (ctx) => {
      const ref = ctx.monitor(cart);
      await c.kill('n3');
      const down = await ctx.receive((m) => (isDownMessage(m) && m.ref.equals(ref) ? m : undefined), { timeout: 10_000 });
      return down.reason.kind;
    });
    expect(reason).toBe('noconnection');
    await c.waitForEvent('n1', 'nodedown', { node: c.node('n3').name });
  });

  it('a frozen node is declared down after the tick time and comes back when thawed', async () => {
    const c = cluster();
    const since = c.node('n1').log.events.length;
    await c.freeze('n2');
    const down = await c.waitForEvent('n1', 'nodedown', { node: c.node('n2').name }, { timeout: 10_000, since });
    expect(down['reason']).toBe('tick_timeout');
    await c.thaw('n2');
    await c.waitForMesh({ timeout: 20_000 });
  });

  it('a delayed node answers late until the delay is lifted', async () => {
    const c = cluster();
    const timed = async (node: string): Promise<number> => {
      const start = performance.now();
      await c.rpc(node, 'shop.price', ['apple']);
      return performance.now() - start;
    };
    await c.delay('n2', 50);
    expect(await timed('n2')).toBeGreaterThanOrEqual(50); // its answer was held 50 ms
    await c.delay('n2', 0);
    await c.waitUntil(async () => (await timed('n2')) < 50, { what: 'n2 answering without the delay' });
  });

  it('waits with deadlines instead of sleeping', async () => {
    const c = cluster();
    await c.waitUntil(async () => (await c.connectedNodes('n1')).length === 2, { timeout: 10_000, what: 'n1 sees two nodes' });
    await c.waitForMesh({ timeout: 20_000 });
  });
});
