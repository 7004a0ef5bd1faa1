export type { RateLimiter } from './types.ts';
export { MemoryRateLimiter } from './memory.ts';
export { RedisRateLimiter } from './redis.ts';
export { decide, refill, formatReset, effectiveCost, type BucketCheck, type BucketState, type LimitDecision, type HeaderFigures } from './token-bucket.ts';
