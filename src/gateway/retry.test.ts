import { describe, expect, it } from 'vitest';
import { backoffDelay, errorFailure, parseRetryAfter, statusFailure } from './retry.ts';

describe('retry policy', () => {
  it('exponential backoff with full jitter stays within [0, min(max, base*2^n))', () => {
    expect(backoffDelay(0, 25, 1000, () => 0.999)).toBe(24);
    expect(backoffDelay(3, 25, 1000, () => 0.5)).toBe(100);
    expect(backoffDelay(10, 25, 1000, () => 0.999)).toBe(999);
    expect(backoffDelay(2, 25, 1000, () => 0)).toBe(0);
  });
  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('2', 0)).toBe(2000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    expect(parseRetryAfter(undefined, 0)).toBeUndefined();
  });
  it('classifies statuses and errors', () => {
    expect(statusFailure(200)).toBeUndefined();
    expect(statusFailure(404)).toBeUndefined();
    expect(statusFailure(429)).toBe('429');
    expect(statusFailure(503)).toBe('5xx');
    expect(errorFailure(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe('connect-failure');
    expect(errorFailure(Object.assign(new Error('x'), { code: 'UND_ERR_HEADERS_TIMEOUT' }))).toBe('timeout');
    expect(errorFailure(Object.assign(new Error('x'), { code: 'UND_ERR_SOCKET' }))).toBe('reset');
  });
});
