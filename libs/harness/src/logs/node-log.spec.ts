import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { NodeExitedError, TimeoutError } from '@sdnode/wire';
import { NodeLog } from './node-log.js';

function followed() {
  const stream = new PassThrough();
  const log = new NodeLog('n@host');
  log.beginInstance('start');
  log.follow(stream);
  return { stream, log };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('NodeLog', () => {
  it('resolves a wait with an event logged later, even when the line arrives in pieces', async () => {
    const { stream, log } = followed();
    const wait = log.waitFor((e) => e.event === 'nodeup' && e['node'] === 'b@beta', 'nodeup of b', { timeout: 5_000 });
    stream.write('{"level":30,"event":"listening","name":"n@host"}\nplain text line\n{"event":"node');
    stream.write('up","node":"b@beta"}\n');
    await expect(wait).resolves.toMatchObject({ event: 'nodeup', node: 'b@beta' });
    expect(log.events.map((e) => e.event)).toEqual(['listening', 'nodeup']);
    expect(log.lines).toContain('plain text line');
  });

  it('answers at once from events already logged, and only from newer ones with `since`', async () => {
    const { stream, log } = followed();
    stream.write('{"event":"nodeup","n":1}\n');
    await turn();
    await expect(log.waitFor((e) => e.event === 'nodeup', 'nodeup', { timeout: 1 })).resolves.toMatchObject({ n: 1 });
    const second = log.waitFor((e) => e.event === 'nodeup', 'a second nodeup', { timeout: 5_000, since: log.events.length });
    stream.write('{"event":"nodeup","n":2}\n');
    await expect(second).resolves.toMatchObject({ n: 2 });
  });

  it('fails at the deadline with a TimeoutError holding the last lines of output', async () => {
    const { stream, log } = followed();
    stream.write('{"event":"listening"}\n');
    await turn();
    const error = await log.waitFor((e) => e.event === 'nodeup', 'a nodeup', { timeout: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toMatch(/n@host: waiting for a nodeup; last output:\n[^]*\{"event":"listening"\}/);
  });

  it('fails at once, not at the deadline, when the instance ends first', async () => {
    const { log } = followed();
    const wait = log.waitFor((e) => e.event === 'nodeup', 'a nodeup', { timeout: 60_000 });
    log.end('killed by SIGKILL');
    await expect(wait).rejects.toBeInstanceOf(NodeExitedError);
    expect(log.hasEnded).toBe(true);
    await expect(log.waitFor(() => true, 'anything', { timeout: 60_000 })).rejects.toThrow(/killed by SIGKILL/);
  });

  it('starts a new instance on restart: waits see only its events, the lines keep everything', async () => {
    const { stream, log } = followed();
    stream.write('{"event":"listening","creation":1}\n');
    await turn();
    log.end('killed by SIGKILL');
    log.beginInstance('restart');
    expect(log.hasEnded).toBe(false);
    const listening = log.waitFor((e) => e.event === 'listening', 'listening', { timeout: 5_000 });
    log.add('{"event":"listening","creation":2}');
    await expect(listening).resolves.toMatchObject({ creation: 2 });
    expect(log.currentEvents()).toEqual([{ event: 'listening', creation: 2 }]);
    expect(log.lines.filter((l) => l.includes('instance'))).toHaveLength(2);
  });
});
