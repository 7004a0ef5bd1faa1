import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, PloydError, exitCodeOf, httpStatusOf, toPloydError } from './index.ts';

describe('PloydError', () => {
  it('maps codes to HTTP statuses and exit codes from the catalogue', () => {
    const err = new PloydError('E_CONFLICT', 'stale');
    expect(httpStatusOf(err)).toBe(409);
    expect(exitCodeOf(err)).toBe(3);
    expect(httpStatusOf(new Error('x'))).toBe(500);
    expect(exitCodeOf(new Error('x'))).toBe(2);
  });

  it('wraps foreign errors and keeps the cause', () => {
    const cause = new Error('boom');
    const wrapped = toPloydError(cause, 'E_IO');
    expect(wrapped.code).toBe('E_IO');
    expect(wrapped.cause).toBe(cause);
    expect(toPloydError(wrapped)).toBe(wrapped);
  });

  it('has warning codes exit 0 and error codes exit non-zero', () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      if (code.startsWith('W_')) expect(entry.exit, code).toBe(0);
      else expect(entry.exit, code).toBeGreaterThan(0);
    }
  });
});
