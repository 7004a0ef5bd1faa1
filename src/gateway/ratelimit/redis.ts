import type { Redis } from 'ioredis';
import type { Logger } from '../../log/index.ts';
import { decide, type BucketCheck, type LimitDecision } from './token-bucket.ts';
import type { RateLimiter } from './types.ts';

/**
 * Refills and checks every bucket, then takes from all or none: one script, so it is atomic across
 * gateways. Time comes from Redis itself so gateways with skewed clocks agree. Levels are returned
 * as strings because Redis truncates Lua numbers to integers.
 */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = #KEYS
local levels = {}
local ok = 1
for i = 1, n do
  local cap = tonumber(ARGV[i * 3 - 2])
  local rate = tonumber(ARGV[i * 3 - 1])
  local cost = tonumber(ARGV[i * 3])
  local v = redis.call('HMGET', KEYS[i], 't', 'a')
  local tk = tonumber(v[1])
  local at = tonumber(v[2])
  if tk == nil or at == nil then
    tk = cap
  else
    tk = math.min(cap, tk + math.max(0, now - at) * rate)
  end
  levels[i] = tk
  if tk < math.min(cost, cap) then ok = 0 end
end
local out = { ok }
for i = 1, n do
  local cap = tonumber(ARGV[i * 3 - 2])
  local rate = tonumber(ARGV[i * 3 - 1])
  local cost = math.min(tonumber(ARGV[i * 3]), cap)
  if ok == 1 then
    redis.call('HSET', KEYS[i], 't', tostring(levels[i] - cost), 'a', tostring(now))
    local ttl = 60000
    if rate > 0 then ttl = math.ceil(cap / rate) + 1000 end
    redis.call('PEXPIRE', KEYS[i], ttl)
  end
  out[i + 1] = tostring(levels[i])
end
return out
`;

const ADJUST = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cap = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local delta = tonumber(ARGV[3])
local v = redis.call('HMGET', KEYS[1], 't', 'a')
local tk = tonumber(v[1])
local at = tonumber(v[2])
if tk == nil or at == nil then tk = cap else tk = math.min(cap, tk + math.max(0, now - at) * rate) end
tk = math.max(-cap, math.min(cap, tk + delta))
redis.call('HSET', KEYS[1], 't', tostring(tk), 'a', tostring(now))
local ttl = 60000
if rate > 0 then ttl = math.ceil(cap / rate) + 1000 end
redis.call('PEXPIRE', KEYS[1], ttl)
return 1
`;

interface LimiterCommands {
  ploydRlAcquire(numKeys: number, ...args: (string | number)[]): Promise<string[] | number[]>;
  ploydRlAdjust(key: string, cap: number, rate: number, delta: number): Promise<number>;
}

/**
 * Token buckets in Redis, shared by every gateway pointing at it. Fails open when Redis is
 * unreachable (as Envoy's rate-limit filter does by default): a limiter outage must not take the
 * data plane down; the failure is logged and counted.
 */
export class RedisRateLimiter implements RateLimiter {
  readonly #redis: Redis & LimiterCommands;
  readonly #log: Logger;
  readonly #prefix: string;
  failures = 0;

  constructor(redis: Redis, logger: Logger, prefix = 'ployd:rl:') {
    redis.defineCommand('ploydRlAcquire', { lua: ACQUIRE });
    redis.defineCommand('ploydRlAdjust', { lua: ADJUST, numberOfKeys: 1 });
    this.#redis = redis as Redis & LimiterCommands;
    this.#log = logger;
    this.#prefix = prefix;
  }

  async acquire(checks: readonly BucketCheck[]): Promise<LimitDecision> {
    if (checks.length === 0) return decide([], []);
    const args: (string | number)[] = [];
    for (const c of checks) args.push(this.#prefix + c.key);
    for (const c of checks) args.push(c.capacity, c.ratePerMs, c.cost);
    try {
      const out = await this.#redis.ploydRlAcquire(checks.length, ...args);
      const levels = out.slice(1).map(Number);
      return decide(checks, levels);
    } catch (err) {
      this.failures++;
      this.#log.warn({ err }, 'rate limiter: redis unavailable, admitting request');
      return decide(checks, checks.map((c) => c.capacity));
    }
  }

  adjust(check: BucketCheck, delta: number): void {
    if (delta === 0) return;
    this.#redis.ploydRlAdjust(this.#prefix + check.key, check.capacity, check.ratePerMs, delta).catch((err: unknown) => {
      this.failures++;
      this.#log.warn({ err }, 'rate limiter: redis adjust failed');
    });
  }

  async close(): Promise<void> {
    // The Redis connection belongs to the caller.
    await Promise.resolve();
  }
}
