import { describe, expect, it } from 'vitest';
import { MemoryRateLimiter } from './memory.ts';
import { formatReset, type BucketCheck } from './token-bucket.ts';

const req = (key: string, rpm: number, burst: number): BucketCheck => ({ key, kind: 'requests', capacity: burst, ratePerMs: rpm / 60_000, cost: 1 });

describe('MemoryRateLimiter', () => {
  it('admits the burst, refuses the next with a Retry-After, refills at rpm', () => {
    let now = 0;
    const rl = new MemoryRateLimiter(() => now);
    const c = req('a', 60, 3);
    expect([1, 2, 3, 4].map(() => rl.acquire([c]).allowed)).toEqual([true, true, true, false]);
    const d = rl.acquire([c]);
    expect(d.retryAfterMs).toBe(1000);
    expect(d.requests).toMatchObject({ limit: 60, remaining: 0 });
    now = 1000;
    expect(rl.acquire([c]).allowed).toBe(true);
    expect(rl.acquire([c]).allowed).toBe(false);
  });

  it('is all-or-nothing across buckets: a global refusal does not spend the client bucket', () => {
    const rl = new MemoryRateLimiter(() => 0);
    const global = req('g', 60, 1);
    const client = req('c', 60, 5);
    expect(rl.acquire([global, client]).allowed).toBe(true);
    expect(rl.acquire([global, client])).toMatchObject({ allowed: false, rejectedBy: 'requests' });
    expect(rl.level(client)).toBe(4);
  });

  it('tokens: reserve, then settle with the real usage (refund or debt)', () => {
    const rl = new MemoryRateLimiter(() => 0);
    const t: BucketCheck = { key: 't', kind: 'tokens', capacity: 1000, ratePerMs: 1000 / 60_000, cost: 600 };
    expect(rl.acquire([t]).allowed).toBe(true);
    expect(rl.acquire([t]).allowed).toBe(false);
    rl.adjust(t, 600 - 50);
    expect(rl.level(t)).toBe(950);
    rl.adjust(t, -3000);
    expect(rl.level(t)).toBe(-1000);
  });

  it('a cost above capacity passes on a full bucket instead of never', () => {
    const rl = new MemoryRateLimiter(() => 0);
    expect(rl.acquire([{ key: 'x', kind: 'tokens', capacity: 100, ratePerMs: 1, cost: 5000 }]).allowed).toBe(true);
  });

  it('formats resets like OpenAI', () => {
    expect(formatReset(20)).toBe('20ms');
    expect(formatReset(1500)).toBe('1.5s');
    expect(formatReset(360_000)).toBe('6m0s');
  });
});
