import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatEndpoint, isWildcardHost, parseDuration, parseEndpoint } from './values.js';

describe('durations', () => {
  it('reads milliseconds as a number and strings with a unit', () => {
    expect(parseDuration(250)).toBe(250);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('15s')).toBe(15_000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration(0)).toBe(0);
  });

  it('rounds to whole milliseconds', () => {
    expect(parseDuration(1.4)).toBe(1);
    expect(parseDuration('0.0006s')).toBe(1);
  });

  it('rejects negative numbers, other units and other types', () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, '15', '15 s', '1d', '-5s', 's', true, null, {}]) {
      expect(parseDuration(bad)).toBeUndefined();
    }
  });

  it('reads any whole number of seconds as that many thousand milliseconds', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_000_000 }), (s) => parseDuration(`${s}s`) === s * 1000));
  });
});

describe('endpoints', () => {
  it('splits tcp://HOST:PORT and strips IPv6 brackets', () => {
    expect(parseEndpoint('tcp://10.0.0.1:4370')).toEqual({ host: '10.0.0.1', port: 4370 });
    expect(parseEndpoint('tcp://[::1]:80')).toEqual({ host: '::1', port: 80 });
    expect(parseEndpoint('tcp://*:0')).toEqual({ host: '*', port: 0 });
    expect(parseEndpoint('tcp://h:99999')).toEqual({ host: 'h', port: 99999 });
  });

  it('rejects other forms', () => {
    for (const bad of ['10.0.0.1:4370', 'udp://h:1', 'tcp://h', 'tcp://h:', 'tcp://h:123456', 'tcp://a b:1', 'tcp://::1:80']) {
      expect(parseEndpoint(bad)).toBeUndefined();
    }
  });

  it('formats what it parses back to the same endpoint', () => {
    const host = fc.oneof(
      fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,20}$/),
      fc.ipV4(),
      fc.ipV6(),
    );
    fc.assert(
      fc.property(host, fc.integer({ min: 0, max: 65535 }), (h, port) => {
        expect(parseEndpoint(formatEndpoint(h, port))).toEqual({ host: h, port });
      }),
    );
  });

  it('knows the hosts that bind every interface', () => {
    for (const wild of ['*', '0.0.0.0', '::', '[::]', '0:0::0']) expect(isWildcardHost(wild)).toBe(true);
    for (const host of ['127.0.0.1', '::1', 'localhost', '10.0.0.0']) expect(isWildcardHost(host)).toBe(false);
  });
});
