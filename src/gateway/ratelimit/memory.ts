import { decide, effectiveCost, refill, type BucketCheck, type BucketState, type LimitDecision } from './token-bucket.ts';
import type { RateLimiter } from './types.ts';

/** Token buckets in a Map: exact for one process; synchronous, so the hot path does not await. */
export class MemoryRateLimiter implements RateLimiter {
  readonly #buckets = new Map<string, BucketState>();
  readonly #now: () => number;
  #ops = 0;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  acquire(checks: readonly BucketCheck[]): LimitDecision {
    const now = this.#now();
    const levels: number[] = new Array<number>(checks.length);
    for (let i = 0; i < checks.length; i++) levels[i] = refill(this.#buckets.get(checks[i]!.key), checks[i]!, now);
    const decision = decide(checks, levels);
    if (decision.allowed) {
      for (let i = 0; i < checks.length; i++) {
        const c = checks[i]!;
        this.#set(c.key, levels[i]! - effectiveCost(c), now);
      }
    }
    if (++this.#ops % 10_000 === 0) this.#sweep(now);
    return decision;
  }

  adjust(check: BucketCheck, delta: number): void {
    const now = this.#now();
    const level = refill(this.#buckets.get(check.key), check, now);
    this.#set(check.key, Math.max(-check.capacity, Math.min(check.capacity, level + delta)), now);
  }

  async close(): Promise<void> {
    this.#buckets.clear();
    await Promise.resolve();
  }

  /** Level of a bucket now (tests, introspection). */
  level(check: BucketCheck): number {
    return refill(this.#buckets.get(check.key), check, this.#now());
  }

  #set(key: string, tokens: number, at: number): void {
    const s = this.#buckets.get(key);
    if (s) {
      s.tokens = tokens;
      s.at = at;
    } else this.#buckets.set(key, { tokens, at });
  }

  /** Drops buckets idle long enough to be full again: they equal a missing bucket. */
  #sweep(now: number): void {
    for (const [key, s] of this.#buckets) if (now - s.at > 120_000) this.#buckets.delete(key);
  }
}
