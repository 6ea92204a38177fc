import { describe, expect, it } from 'vitest';
import { ConnectionRefusedError, TimeoutError } from './index.js';
import { errorLogFields, isExpectedError } from './log-fields.js';

describe('errorLogFields', () => {
  it('logs a typed condition by name, code and message, without a stack', () => {
    const fields = errorLogFields(new TimeoutError('handshake with b@h', 5000));
    expect(fields).toEqual({ error: { name: 'TimeoutError', code: 'ETIMEOUT', message: 'handshake with b@h timed out after 5000 ms' } });
    expect(JSON.stringify(fields)).not.toMatch(/stack|at /);
    expect(isExpectedError(new ConnectionRefusedError('b@h', 'not allowed'))).toBe(true);
  });

  it('logs anything else whole, stack included', () => {
    const bug = new TypeError('x is undefined');
    expect(errorLogFields(bug)).toEqual({ err: bug });
    expect(isExpectedError(bug)).toBe(false);
    const odd = errorLogFields('a string');
    expect('err' in odd && odd.err.message).toBe('a string');
  });
});
