// `sdnode start --config FILE --node NAME` with real node processes on loopback: the node takes
// its name, cookie (from a cookie file) and tick from the cluster file. Needs the built CLI
// (`npm test` builds first).
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useCliNodes, waitForEvent } from './cli-nodes.test-util.js';

describe('sdnode start --config', () => {
  let dir: string;
  const nodes = useCliNodes();
  const start = (...args: string[]) => nodes.start(args);

  afterEach(() => {
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
    nodes.reportOnFailure();

    const a = start('--config', file, '--node', 'a');
    const listening = await waitForEvent(a, (e) => e['event'] === 'listening', 'listening line of a');
    expect(listening).toMatchObject({ name: 'a@127.0.0.1', hidden: false, attributes: { role: 'db' } });

    const b = start('--config', file, '--node', 'b', '--seed', `a@127.0.0.1=${String(listening['address'])}`);
    await waitForEvent(b, (e) => e['event'] === 'nodeup' && e['node'] === 'a@127.0.0.1', 'nodeup of a on b');
    await waitForEvent(a, (e) => e['event'] === 'nodeup' && e['node'] === 'b@127.0.0.1', 'nodeup of b on a');
  });
});
