// The e2e machinery itself (no Docker needed): waiting on a container's JSON
// event lines with a deadline, and failing at once when its output ends.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ContainerExitedError, EventWaitTimeoutError, LogCollector } from './support/index.js';

function collector() {
  const stream = new PassThrough();
  const log = new LogCollector('n@host');
  log.attach(stream);
  return { stream, log };
}

describe('LogCollector', () => {
  it('resolves a wait with an event logged later, even when the line arrives in pieces', async () => {
    const { stream, log } = collector();
    const wait = log.waitFor((e) => e.event === 'nodeup' && e['node'] === 'b@beta', 'nodeup of b', 5_000);
    stream.write('{"level":30,"event":"listening","name":"n@host"}\nplain text line\n{"event":"node');
    stream.write('up","node":"b@beta"}\n');
    await expect(wait).resolves.toMatchObject({ event: 'nodeup', node: 'b@beta' });
    expect(log.events.map((e) => e.event)).toEqual(['listening', 'nodeup']);
    expect(log.lines).toContain('plain text line');
  });

  it('answers at once from events already logged', async () => {
    const { stream, log } = collector();
    stream.write('{"event":"listening"}\n');
    await new Promise((resolve) => setImmediate(resolve));
    await expect(log.waitFor((e) => e.event === 'listening', 'listening', 1)).resolves.toMatchObject({ event: 'listening' });
  });

  it('fails at the deadline with the last lines of output', async () => {
    const { stream, log } = collector();
    stream.write('{"event":"listening"}\n');
    const error = await log.waitFor((e) => e.event === 'nodeup', 'a nodeup', 50).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventWaitTimeoutError);
    expect((error as Error).message).toMatch(/n@host: no a nodeup within 50 ms; last output:\n {4}\{"event":"listening"\}/);
  });

  it('fails at once, not at the deadline, when the output ends first', async () => {
    const { stream, log } = collector();
    const wait = log.waitFor((e) => e.event === 'nodeup', 'a nodeup', 60_000);
    stream.end('crashed: some error');
    await expect(wait).rejects.toBeInstanceOf(ContainerExitedError);
    expect(log.hasEnded).toBe(true);
    expect(log.lines).toEqual(['crashed: some error']);
    await expect(log.waitFor(() => true, 'anything', 60_000)).rejects.toBeInstanceOf(ContainerExitedError);
  });
});

describe('LogCollector newOnly waits', () => {
  it('ignore matching events logged before the wait began', async () => {
    const { stream, log } = collector();
    stream.write('{"event":"nodeup","node":"b@beta","n":1}\n');
    await new Promise((resolve) => setImmediate(resolve));
    const wait = log.waitFor((e) => e.event === 'nodeup', 'a second nodeup', 5_000, { newOnly: true });
    stream.write('{"event":"nodeup","node":"b@beta","n":2}\n');
    await expect(wait).resolves.toMatchObject({ n: 2 });
  });
});
