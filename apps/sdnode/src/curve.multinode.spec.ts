// CurveZMQ between real node processes on loopback: `sdnode curve keygen` makes the cluster's
// keypair, nodes of a cluster file whose `curve` section reads it from files connect; a node
// without the keys, or with another pair, is refused; curve on the net carrier refuses to start.
// Needs the built CLI (`npm test` builds first).
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCliCaptured } from './cli-capture.test-util.js';
import { useCliNodes, waitForEvent } from './cli-nodes.test-util.js';

const COOKIE = 'curve-multinode';

describe('CurveZMQ between node processes', () => {
  let dir = '';
  const nodes = useCliNodes();
  const start = nodes.start;

  afterEach(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('connects nodes that share the keypair, and refuses a node without it or with another pair', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sdnode-curve-'));
    nodes.reportOnFailure();
    const keygen = await runCliCaptured('curve', 'keygen', '--out', dir, '--json');
    expect(keygen.code).toBe(0);
    const { publicKey, secretKeyFile } = JSON.parse(keygen.out) as { publicKey: string; secretKeyFile: string };
    expect(statSync(secretKeyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'curve-public.key'), 'utf8').trim()).toBe(publicKey);
    expect((await runCliCaptured('curve', 'keygen', '--out', dir)).code).toBe(2); // never overwrites a pair silently (a usage error)
    const other = JSON.parse((await runCliCaptured('curve', 'keygen', '--json')).out) as { publicKey: string; secretKey: string };

    const file = join(dir, 'cluster.yaml');
    // Ports from the OS: b gets a's address by --seed.
    writeFileSync(file, `cookie: ${COOKIE}\ncurve: {publicKey: {file: curve-public.key}, secretKey: {file: curve-secret.key}}\ndefaults: {basePort: 0}\nnodes: [a, b]\n`);
    const a = start(['--config', file, '--node', 'a']);
    const at = String((await waitForEvent(a, (e) => e['event'] === 'listening', 'listening line of a'))['address']);
    const b = start(['--config', file, '--node', 'b', '--seed', `a@127.0.0.1=${at}`]);
    await waitForEvent(b, (e) => e['event'] === 'nodeup' && e['node'] === 'a@127.0.0.1', 'nodeup of a on b');
    await waitForEvent(a, (e) => e['event'] === 'nodeup' && e['node'] === 'b@127.0.0.1', 'nodeup of b on a');

    // The CLI's own short-lived node needs the keys too.
    const curveFlags = ['--curve-public-key', publicKey, '--curve-secret-key-file', secretKeyFile];
    expect((await runCliCaptured('ping', 'a@127.0.0.1', '--at', at, '--cookie', COOKIE, ...curveFlags)).out).toBe('pong\n');
    expect((await runCliCaptured('ping', 'a@127.0.0.1', '--at', at, '--cookie', COOKIE, '--timeout', '1s')).out).toBe('pang\n');
    // With --config, the keys come from the file's curve section (as for sdnode observe).
    const placed = await runCliCaptured('placement', 'nodes', '--config', file, '--at', at, '--on', 'a@127.0.0.1', '--json');
    expect(placed.code, placed.err).toBe(0);

    // A node without the keys (the net carrier, the default) and one with another pair (zmq, from the environment).
    const plain = start(['--name', 'plain@127.0.0.1', '--cookie', COOKIE, '--seed', `a@127.0.0.1=${at}`]);
    const stranger = start(['--name', 'stranger@127.0.0.1', '--cookie', COOKIE, '--seed', `a@127.0.0.1=${at}`], {
      SDNODE_CURVE_PUBLIC_KEY: other.publicKey,
      SDNODE_CURVE_SECRET_KEY: other.secretKey,
    });
    const refused = (e: Record<string, unknown>): boolean => e['event'] === 'connect_failed' && e['node'] === 'a@127.0.0.1';
    await waitForEvent(plain, refused, 'a failed connection of plain to a');
    const strangerFailure = await waitForEvent(stranger, refused, 'a failed connection of stranger to a');
    expect(String(strangerFailure['error'])).toMatch(/handshake|timed out|timeout/i);
    const info = await runCliCaptured('info', 'a@127.0.0.1', '--at', at, '--cookie', COOKIE, '--json', ...curveFlags);
    expect(info.code).toBe(0);
    const seen = JSON.parse(info.out) as { nodes: string[]; hiddenNodes: string[] };
    expect(seen.nodes).toEqual(['b@127.0.0.1']);
    expect(seen.hiddenNodes).toEqual([]);
    for (const n of [plain, stranger]) expect(n.events.some((e) => e['event'] === 'nodeup')).toBe(false);
    // a met b and the CLI's hidden nodes that had the keys (the ping without them never got in), nobody else
    const metByA = a.events.filter((e) => e['event'] === 'nodeup').map((e) => String(e['node']));
    expect(metByA.filter((n) => !n.startsWith('sdnode-cli-'))).toEqual(['b@127.0.0.1']);
    expect(metByA.filter((n) => n.startsWith('sdnode-cli-'))).toHaveLength(3); // the ping, placement and info with the keys
  });

  it('refuses to start with curve on the net carrier, and with keys that are not one pair', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sdnode-curve-'));
    expect((await runCliCaptured('curve', 'keygen', '--out', dir)).code).toBe(0);
    const file = join(dir, 'cluster.yaml');
    writeFileSync(file, `cookie: ${COOKIE}\ncurve: {publicKey: {file: curve-public.key}, secretKey: {file: curve-secret.key}}\ndefaults: {basePort: 0}\nnodes: [a]\n`);
    const onNet = start(['--config', file, '--node', 'a', '--carrier', 'net']);
    expect(await onNet.exited).toBe(2); // InvalidArgumentError: a usage error
    expect(onNet.stderr.join('\n')).toMatch(/CurveZMQ needs the zmq carrier/);
    const other = JSON.parse((await runCliCaptured('curve', 'keygen', '--json')).out) as { publicKey: string };
    const mismatched = start(['--config', file, '--node', 'a', '--curve-public-key', other.publicKey, '--curve-secret-key-file', join(dir, 'curve-secret.key')]);
    expect(await mismatched.exited).toBe(2);
    expect(mismatched.stderr.join('\n')).toMatch(/does not belong to the secret key/);
  });
});
