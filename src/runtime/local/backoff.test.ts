import { describe, expect, it } from 'vitest';
import { BACKOFF_MAX_MS, failuresAfterExit, restartDelay } from './backoff.ts';

describe('restartDelay', () => {
  it('starts at 1 s and doubles', () => {
    expect([1, 2, 3, 4, 5].map((n) => restartDelay(n))).toEqual([1000, 2000, 4000, 8000, 16000]);
  });
  it('caps at 5 minutes, even for absurd counts', () => {
    expect(restartDelay(9)).toBe(256_000);
    expect(restartDelay(10)).toBe(BACKOFF_MAX_MS);
    expect(restartDelay(10_000)).toBe(BACKOFF_MAX_MS);
  });
  it('is 0 before any failure', () => {
    expect(restartDelay(0)).toBe(0);
  });
});

describe('failuresAfterExit', () => {
  it('accumulates for quick exits and resets after a stable run', () => {
    expect(failuresAfterExit(3, 500, 60_000)).toBe(4);
    expect(failuresAfterExit(8, 60_000, 60_000)).toBe(1);
  });
});
