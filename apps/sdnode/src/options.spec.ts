import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@sdnode/wire';
import { parseAttribute, parseDurationMs, parseEndpoint, parseLocation, parseNodeName, parseSeed, parseCookie } from './options.js';

describe('CLI option parsing', () => {
  it('accepts tcp endpoints with a host and a port', () => {
    expect(parseEndpoint('--listen', 'tcp://127.0.0.1:0')).toBe('tcp://127.0.0.1:0');
    expect(parseEndpoint('--listen', 'tcp://node-a:4370')).toBe('tcp://node-a:4370');
    expect(parseEndpoint('--listen', 'tcp://[::1]:4370')).toBe('tcp://[::1]:4370');
  });

  it('rejects endpoints without a scheme, with a bad port, or another transport, naming the flag', () => {
    for (const bad of ['127.0.0.1:4370', 'tcp://127.0.0.1', 'tcp://127.0.0.1:70000', 'ipc:///tmp/x', 'tcp://:1']) {
      expect(() => parseEndpoint('--listen', bad)).toThrowError(InvalidArgumentError);
      expect(() => parseEndpoint('--listen', bad)).toThrowError(/--listen/);
    }
  });

  it('collects repeated seeds into a map from node name to address', () => {
    const one = parseSeed('a@h1=tcp://h1:1');
    expect(parseSeed('b@h2=tcp://h2:2', one)).toEqual({ 'a@h1': 'tcp://h1:1', 'b@h2': 'tcp://h2:2' });
  });

  it('rejects seeds that are not NAME=ADDR with a node name', () => {
    expect(() => parseSeed('tcp://h1:1')).toThrowError(/NAME=/);
    expect(() => parseSeed('nohost=tcp://h1:1')).toThrowError(/not a node name/);
    expect(() => parseSeed('a@h=nope')).toThrowError(/tcp:\/\/HOST:PORT/);
  });

  it('reads durations in ms or seconds and refuses zero, negatives and words', () => {
    expect(parseDurationMs('--tick', '1500')).toBe(1500);
    expect(parseDurationMs('--tick', '250ms')).toBe(250);
    expect(parseDurationMs('--tick', '15s')).toBe(15000);
    expect(parseDurationMs('--tick', '0.5s')).toBe(500);
    for (const bad of ['0', '-1', 'soon', '5m', '']) expect(() => parseDurationMs('--tick', bad)).toThrowError(InvalidArgumentError);
  });

  it('completes a bare node name with the host of the listen endpoint', () => {
    expect(parseNodeName('a', 'tcp://10.1.2.3:4370')).toBe('a@10.1.2.3');
    expect(parseNodeName('a', 'tcp://0.0.0.0:4370')).toBe('a@127.0.0.1');
    expect(parseNodeName('a@host')).toBe('a@host');
    expect(() => parseNodeName('a b@host')).toThrowError(InvalidArgumentError);
  });

  it('takes the cookie from the flag, else from SDNODE_COOKIE, else fails', () => {
    expect(parseCookie('x', {})).toBe('x');
    expect(parseCookie(undefined, { SDNODE_COOKIE: 'y' })).toBe('y');
    expect(() => parseCookie(undefined, {})).toThrowError(/--cookie/);
  });

  it('reads --attribute NAME=VALUE with booleans and numbers typed, and --location LEVEL=VALUE', () => {
    let attrs = parseAttribute('gpu=true');
    attrs = parseAttribute('cores=16', attrs);
    attrs = parseAttribute('weight=-0.5', attrs);
    attrs = parseAttribute('tier=worker', attrs);
    attrs = parseAttribute('note=', attrs);
    expect(attrs).toEqual({ gpu: true, cores: 16, weight: -0.5, tier: 'worker', note: '' });
    expect(parseLocation('rack=r2', parseLocation('zone=eu-1'))).toEqual({ zone: 'eu-1', rack: 'r2' });
    expect(() => parseAttribute('=x')).toThrow(/--attribute/);
    expect(() => parseAttribute('gpu')).toThrow(InvalidArgumentError);
    expect(() => parseLocation('zone=')).toThrow(/expected LEVEL=VALUE/);
  });
});
