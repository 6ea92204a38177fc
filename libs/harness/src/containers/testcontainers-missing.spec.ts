import { ContainerRuntimeError } from '@sdnode/wire';
import { describe, expect, it } from 'vitest';
import { TESTCONTAINERS_INSTALL, TestcontainersMissingError } from './testcontainers-missing.js';

describe('TestcontainersMissingError', () => {
  it('is a ContainerRuntimeError that says how to install the optional peer', () => {
    const cause = Object.assign(new Error("Cannot find package 'testcontainers'"), { code: 'ERR_MODULE_NOT_FOUND' });
    const error = new TestcontainersMissingError(cause);
    expect(error).toBeInstanceOf(ContainerRuntimeError);
    expect(error.name).toBe('TestcontainersMissingError');
    expect(error.code).toBe('ECONTAINERRUNTIME');
    expect(error.message).toContain(TESTCONTAINERS_INSTALL);
    expect(error.message).toContain('optional peer dependency of @sdnode/harness');
    expect(error.message).toContain("Cannot find package 'testcontainers'");
  });
});
