import type { BucketCheck, LimitDecision } from './token-bucket.ts';

/**
 * One interface, two bodies: in memory (one gateway process) and Redis (N gateways, one limit).
 * `acquire` checks every bucket and takes from all of them only if all admit: atomically.
 */
export interface RateLimiter {
  acquire(checks: readonly BucketCheck[]): LimitDecision | Promise<LimitDecision>;
  /** Settles a token reservation: positive `delta` gives tokens back, negative takes more (debt). */
  adjust(check: BucketCheck, delta: number): void;
  close(): Promise<void>;
}
