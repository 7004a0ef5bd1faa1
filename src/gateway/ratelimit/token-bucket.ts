/**
 * Token-bucket arithmetic shared by the memory and Redis limiters (the Lua script mirrors it).
 * A bucket holds up to `capacity` tokens and refills at `ratePerMs`; a request takes `cost`.
 */
export interface BucketCheck {
  /** Full key, e.g. `rl:req:default/chat:key:abc`. */
  readonly key: string;
  readonly kind: 'requests' | 'tokens';
  readonly capacity: number;
  readonly ratePerMs: number;
  readonly cost: number;
}

export interface BucketState {
  tokens: number;
  at: number;
}

export interface LimitDecision {
  readonly allowed: boolean;
  /** Milliseconds until the failing buckets could admit the request; 0 when allowed. */
  readonly retryAfterMs: number;
  /** The most constraining request and token buckets, for `x-ratelimit-*` headers. */
  readonly requests: HeaderFigures | undefined;
  readonly tokens: HeaderFigures | undefined;
  /** Which kind of limit refused the request. */
  readonly rejectedBy: 'requests' | 'tokens' | undefined;
}

export interface HeaderFigures {
  readonly limit: number;
  readonly remaining: number;
  /** Milliseconds until the bucket is full again. */
  readonly resetMs: number;
}

/** Tokens in the bucket at `now`, refilled lazily. */
export function refill(state: BucketState | undefined, check: BucketCheck, now: number): number {
  if (!state) return check.capacity;
  return Math.min(check.capacity, state.tokens + Math.max(0, now - state.at) * check.ratePerMs);
}

/** A cost above capacity could never pass; clamp so a full bucket admits it (a huge max_tokens on a small tpm). */
export function effectiveCost(check: BucketCheck): number {
  return Math.min(check.cost, check.capacity);
}

/** Builds the decision from the refilled levels (before consumption) of every bucket. */
export function decide(checks: readonly BucketCheck[], levels: readonly number[]): LimitDecision {
  let allowed = true;
  let retryAfterMs = 0;
  let rejectedBy: 'requests' | 'tokens' | undefined;
  for (let i = 0; i < checks.length; i++) {
    const c = checks[i]!;
    const level = levels[i]!;
    const cost = effectiveCost(c);
    if (level < cost) {
      allowed = false;
      rejectedBy ??= c.kind;
      retryAfterMs = Math.max(retryAfterMs, c.ratePerMs > 0 ? Math.ceil((cost - level) / c.ratePerMs) : 60_000);
    }
  }
  let requests: HeaderFigures | undefined;
  let tokens: HeaderFigures | undefined;
  for (let i = 0; i < checks.length; i++) {
    const c = checks[i]!;
    const after = allowed ? levels[i]! - effectiveCost(c) : levels[i]!;
    const fig: HeaderFigures = {
      limit: c.kind === 'requests' ? Math.round(c.ratePerMs * 60_000) : c.capacity,
      remaining: Math.max(0, Math.floor(after)),
      resetMs: c.ratePerMs > 0 ? Math.ceil((c.capacity - after) / c.ratePerMs) : 0,
    };
    if (c.kind === 'requests') {
      if (!requests || fig.remaining < requests.remaining) requests = fig;
    } else if (!tokens || fig.remaining < tokens.remaining) tokens = fig;
  }
  return { allowed, retryAfterMs, requests, tokens, rejectedBy };
}

/** OpenAI's reset format: `1s`, `6m0s`, `20ms`. */
export function formatReset(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.ceil(ms))}ms`;
  const totalSeconds = ms / 1000;
  if (totalSeconds < 60) return `${Number(totalSeconds.toFixed(3))}s`;
  const m = Math.floor(totalSeconds / 60);
  const s = Math.round(totalSeconds - m * 60);
  return `${m}m${s}s`;
}
