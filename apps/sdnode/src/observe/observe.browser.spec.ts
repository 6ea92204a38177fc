// The observer's page in a real browser: Debian's Chromium (tools/ci/ensure-chromium.sh installs
// it; $SDNODE_CHROMIUM overrides /usr/bin/chromium) driven by playwright-core, against real node
// processes (the harness's local mode). Required with CI=true or SDNODE_BROWSER=required (a
// missing Chromium or playwright-core fails there); elsewhere skipped, with a message, when either
// is missing (tools/scripts/test.sh installs Chromium when it runs as root). Screenshots go to $SDNODE_ARTIFACTS_DIR/observe (default: the OS's temp
// directory); with SDNODE_UPDATE_SCREENSHOTS=1 also to docs/guides/observe.png.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { useCluster } from '@sdnode/harness/vitest';
import { Gatherer } from './gatherer.js';
import { ObserveServer } from './http-server.js';
import { FakeSource, summary } from './observe-fakes.test-util.js';
import { startObserver } from './observer.js';
import { connectionsFromNodes, makeGroups, OBSERVE_MODULE, snapshotOf } from './observe-cluster.test-util.js';

/** The little of playwright-core's API this test uses (its types, and the DOM's, are not needed to compile the repository). */
interface DomElement {
  getAttribute(name: string): string | null;
}
interface Locator {
  count(): Promise<number>;
  getAttribute(name: string): Promise<string | null>;
  click(options?: { timeout?: number }): Promise<void>;
  textContent(options?: { timeout?: number }): Promise<string | null>;
  evaluateAll<T>(fn: (elements: DomElement[]) => T): Promise<T>;
}
interface Page {
  goto(url: string, options?: { timeout?: number }): Promise<unknown>;
  locator(selector: string): Locator;
  waitForSelector(selector: string, options?: { timeout?: number; state?: 'attached' | 'detached' | 'visible' | 'hidden' }): Promise<unknown>;
  waitForFunction(expression: string, arg?: unknown, options?: { timeout?: number; polling?: number }): Promise<unknown>;
  screenshot(options: { path: string; fullPage?: boolean }): Promise<unknown>;
  on(event: 'pageerror', listener: (error: Error) => void): void;
}
interface Browser {
  newPage(options: { viewport: { width: number; height: number } }): Promise<Page>;
  close(): Promise<void>;
}
interface PlaywrightCore {
  chromium: { launch(options: { executablePath: string; args: string[]; timeout: number }): Promise<Browser> };
}

/** playwright-core from the workspace, or from $SDNODE_PLAYWRIGHT_CORE (a path, for trying without installing it here). */
async function loadPlaywright(): Promise<PlaywrightCore | undefined> {
  const require = createRequire(import.meta.url);
  for (const spec of ['playwright-core', process.env['SDNODE_PLAYWRIGHT_CORE']]) {
    if (spec === undefined || spec === '') continue;
    try {
      const resolved = require.resolve(spec);
      return (await import(pathToFileURL(resolved).href)) as PlaywrightCore;
    } catch {
      // not there
    }
  }
  return undefined;
}

const playwright = await loadPlaywright();
const CHROMIUM = process.env['SDNODE_CHROMIUM'] ?? '/usr/bin/chromium';
const REQUIRED = process.env['CI'] === 'true' || process.env['SDNODE_BROWSER'] === 'required';
const MISSING = playwright === undefined ? 'playwright-core is not installed' : !existsSync(CHROMIUM) ? `no Chromium at ${CHROMIUM} (tools/ci/ensure-chromium.sh installs it, as root; or set SDNODE_CHROMIUM)` : undefined;
if (MISSING !== undefined && !REQUIRED) console.warn(`observe browser tests skipped: ${MISSING}`);
const SKIP = MISSING !== undefined && !REQUIRED;
const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const ARTIFACTS = join(process.env['SDNODE_ARTIFACTS_DIR'] ?? join(tmpdir(), 'sdnode-artifacts'), 'observe');

describe.skipIf(SKIP)('the observer\'s page in Chromium', () => {
  const cluster = useCluster({ nodes: 4, module: OBSERVE_MODULE, cookie: 'observe-browser', netTickTime: 4000 });

  it('draws the nodes, s_groups and connections, shows a process\'s state, and drops a killed node', async () => {
    if (MISSING !== undefined) throw new Error(`the browser test is required here (CI=true or SDNODE_BROWSER=required): ${MISSING}`);
    const c = cluster();
    const [n1, n2, n3, n4] = c.names() as [string, string, string, string];
    await makeGroups(c);
    const pid = await c.spawn('n2', 'observe.counter', [41], { name: 'counter' });
    const observer = await startObserver({
      target: n1,
      address: c.node('n1').address!,
      cookie: c.cookie,
      nodeListen: 'tcp://127.0.0.1:0',
      http: { host: '127.0.0.1', port: 0 },
      gatherer: { interval: 300, timeout: 1500, forgetAfter: 1500 },
    });
    const browser = await playwright!.chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'], timeout: 30_000 });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(observer.url, { timeout: 15_000 });

      // The nodes, with their status and kind.
      const upNode = (n: string) => `[data-node="${n}"][data-status="up"]`;
      for (const n of [n1, n2, n3, n4]) await page.waitForSelector(upNode(n), { timeout: 15_000 });
      const kinds = await page.locator('[data-node]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-node'), e.getAttribute('data-kind')]));
      expect(kinds.filter(([n]) => n !== c.driver.name)).toEqual([
        [n1, 'sgroup'],
        [n2, 'sgroup'],
        [n3, 'sgroup'],
        [n4, 'free'],
      ]);
      // The s_groups as regions, with their members.
      expect(await page.locator('[data-group="g1"]').getAttribute('data-members')).toBe(`${n1},${n2}`);
      expect(await page.locator('[data-group="g2"]').getAttribute('data-members')).toBe(`${n2},${n3}`);
      expect(await page.locator('[data-pool="free"]').count()).toBe(1);
      // The edges: the connections the nodes themselves report (visible and point to point), once the policy settled them.
      await c.waitUntil(
        async () => {
          const fromNodes = await connectionsFromNodes(c);
          const drawn = await page
            .locator('[data-edge]')
            .evaluateAll((els) => els.filter((e) => ['visible', 'p2p'].includes(e.getAttribute('data-kind') ?? '')).map((e) => e.getAttribute('data-edge')!).sort());
          return JSON.stringify(drawn.filter((e) => !e.includes('harness-'))) === JSON.stringify(fromNodes) && drawn.includes(`${n1}|${n2}`) && drawn.includes(`${n2}|${n3}`);
        },
        { timeout: 15_000, what: 'the page draws the connections the nodes report' },
      );

      // A node's processes, and a process's state through Sys.
      await page.locator(upNode(n2)).click();
      await page.waitForSelector(`[data-selected="${n2}"]`, { timeout: 5000 });
      await page.locator(`tr.process[data-pid="${pid.toString()}"]`).click({ timeout: 10_000 });
      await page.waitForSelector(`[data-process="${pid.toString()}"]`, { timeout: 10_000 });
      expect(JSON.parse((await page.locator('pre.state').textContent({ timeout: 5000 })) ?? 'null')).toEqual({ count: 41 });

      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'observe.png') });
      if (process.env['SDNODE_UPDATE_SCREENSHOTS'] === '1') await page.screenshot({ path: join(REPO, 'docs/guides/observe.png') });

      // n4 killed: it leaves the picture (it is in no s_group), with its edges.
      await c.kill('n4');
      await page.waitForSelector(`[data-node="${n4}"]`, { state: 'detached', timeout: 15_000 });
      const gone = (await snapshotOf(observer.url)).seq;
      await c.waitUntil(async () => (await snapshotOf(observer.url)).seq >= gone + 3, { timeout: 15_000, what: 'three more snapshots' });
      expect(await page.locator(`[data-node="${n4}"]`).count()).toBe(0);
      expect(await page.locator(`[data-edge*="${n4}"]`).count()).toBe(0);
      for (const n of [n1, n2, n3]) expect(await page.locator(upNode(n)).count()).toBe(1);
      await page.screenshot({ path: join(ARTIFACTS, 'observe-after-kill.png') });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      await observer.close();
    }
  }, 120_000);
});

describe.skipIf(SKIP)('the observer\'s page with 160 nodes', () => {
  it('draws ten s_groups of 15 nodes and ten free nodes, and shows a node that stops answering within the next update', async () => {
    if (MISSING !== undefined) throw new Error(`the browser test is required here (CI=true or SDNODE_BROWSER=required): ${MISSING}`);
    // Fake nodes (no processes): 10 groups g0..g9 of 15 members meshed, 10 free nodes meshed.
    const src = new FakeSource();
    const groups = Array.from({ length: 10 }, (_, g) => ({ name: `g${g}`, members: Array.from({ length: 15 }, (_, i) => `m${g}x${i}@h`).sort(), version: 0 }));
    const free = Array.from({ length: 10 }, (_, i) => `f${i}@h`).sort();
    for (const g of groups) {
      for (const m of g.members) {
        src.answers.set(m, summary(m, { kind: 'sgroup', groups: [{ ...g, own: true, addresses: {} }], connections: { visible: g.members.filter((x) => x !== m), pointToPoint: [], hidden: [] } }));
      }
    }
    for (const f of free) src.answers.set(f, summary(f, { connections: { visible: free.filter((x) => x !== f), pointToPoint: [], hidden: [] } }));
    const gatherer = new Gatherer(src, Object.fromEntries([...groups.flatMap((g) => g.members), ...free].map((n) => [n, null])), { timeout: 500 });
    await gatherer.round();
    const server = await ObserveServer.start(src, () => gatherer.snapshot, { host: '127.0.0.1', port: 0, timeout: 1000 });
    gatherer.onSnapshot((snap) => server.publish(snap));
    const browser = await playwright!.chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'], timeout: 30_000 });
    try {
      const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(server.url, { timeout: 15_000 });
      await page.waitForFunction(`document.querySelectorAll('[data-node][data-status="up"]').length === 160`, undefined, { timeout: 15_000 });
      expect(await page.locator('[data-group]').count()).toBe(10);
      expect(await page.locator('[data-edge][data-kind="visible"]').count()).toBe(10 * 105 + 45);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'observe-160-nodes.png') });

      // m3x7 stops answering: unreachable (its group's members still report it) at the next update.
      src.answers.set('m3x7@h', new Error('timeout'));
      await gatherer.round();
      await page.waitForSelector('[data-node="m3x7@h"][data-status="unreachable"]', { timeout: 5000 });
      expect(await page.locator('[data-node][data-status="up"]').count()).toBe(159);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      await server.close();
    }
  }, 60_000);
});
