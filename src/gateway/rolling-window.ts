/** Percentiles of a rolling window, in milliseconds. */
export interface Percentiles {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

/** What the canary controller decides on: one backend over the last N seconds. */
export interface BackendWindowStats {
  readonly backend: string;
  readonly windowSeconds: number;
  readonly requests: number;
  readonly successes: number;
  readonly errors: number;
  /** successes / requests; 1 when there were no requests (no evidence of failure). */
  readonly successRate: number;
  readonly errorRate: number;
  readonly latencyMs: Percentiles | undefined;
  readonly ttftMs: Percentiles | undefined;
}

/**
 * Per-backend measurements over a sliding window, for progressive delivery (canary analysis).
 * Backends are keyed `namespace/name` (the ModelDeployment or backend name of the GatewayRoute).
 *
 * @example
 * const s = gateway.metrics.backendStats('prod/llama-v2', 60);
 * if (s.requests >= 50 && s.successRate < 0.99) rollback();
 */
export interface MetricsProvider {
  backendStats(backend: string, windowSeconds?: number): BackendWindowStats;
  /** Backends seen within the window. */
  backends(): string[];
}

// Log-scale buckets, 10% wide, from 0.1 ms: percentiles within ±5% at a fixed, small cost.
const BUCKETS = 200;
const BASE = 0.1;
const LOG_GROWTH = Math.log(1.1);

function bucketOf(ms: number): number {
  if (ms <= BASE) return 0;
  return Math.min(BUCKETS - 1, Math.floor(Math.log(ms / BASE) / LOG_GROWTH) + 1);
}

function bucketValue(i: number): number {
  // Geometric middle of the bucket.
  return i === 0 ? BASE : BASE * 1.1 ** (i - 0.5);
}

class Slot {
  second = -1;
  requests = 0;
  errors = 0;
  readonly latency = new Uint32Array(BUCKETS);
  latencyCount = 0;
  readonly ttft = new Uint32Array(BUCKETS);
  ttftCount = 0;

  reset(second: number): void {
    this.second = second;
    this.requests = 0;
    this.errors = 0;
    this.latency.fill(0);
    this.latencyCount = 0;
    this.ttft.fill(0);
    this.ttftCount = 0;
  }
}

class Series {
  readonly slots: Slot[];
  constructor(size: number) {
    this.slots = Array.from({ length: size }, () => new Slot());
  }
  slot(second: number): Slot {
    const s = this.slots[second % this.slots.length]!;
    if (s.second !== second) s.reset(second);
    return s;
  }
}

function percentiles(hist: Uint32Array, count: number): Percentiles | undefined {
  if (count === 0) return undefined;
  const targets = [0.5, 0.95, 0.99].map((q) => Math.max(1, Math.ceil(q * count)));
  const out: number[] = [];
  let cum = 0;
  let t = 0;
  for (let i = 0; i < hist.length && t < targets.length; i++) {
    cum += hist[i]!;
    while (t < targets.length && cum >= targets[t]!) {
      out.push(Number(bucketValue(i).toFixed(3)));
      t++;
    }
  }
  return { p50: out[0]!, p95: out[1]!, p99: out[2]! };
}

/** One-second slots in a ring per backend; recording is O(1) and allocation-free. */
export class RollingWindows implements MetricsProvider {
  readonly #series = new Map<string, Series>();
  readonly #maxSeconds: number;
  readonly #now: () => number;

  constructor(maxSeconds = 300, now: () => number = Date.now) {
    this.#maxSeconds = maxSeconds;
    this.#now = now;
  }

  #slot(backend: string): Slot {
    let s = this.#series.get(backend);
    if (!s) this.#series.set(backend, (s = new Series(this.#maxSeconds + 1)));
    return s.slot(Math.floor(this.#now() / 1000));
  }

  /** One attempt's outcome on a backend; latency only for successes (failures are counted, not timed). */
  record(backend: string, ok: boolean, latencyMs: number | undefined, ttftMs: number | undefined): void {
    const slot = this.#slot(backend);
    slot.requests++;
    if (!ok) slot.errors++;
    if (latencyMs !== undefined) {
      slot.latency[bucketOf(latencyMs)]!++;
      slot.latencyCount++;
    }
    if (ttftMs !== undefined) {
      slot.ttft[bucketOf(ttftMs)]!++;
      slot.ttftCount++;
    }
  }

  backendStats(backend: string, windowSeconds = 60): BackendWindowStats {
    const w = Math.max(1, Math.min(this.#maxSeconds, Math.floor(windowSeconds)));
    const nowSec = Math.floor(this.#now() / 1000);
    const latency = new Uint32Array(BUCKETS);
    const ttft = new Uint32Array(BUCKETS);
    let requests = 0;
    let errors = 0;
    let latencyCount = 0;
    let ttftCount = 0;
    const series = this.#series.get(backend);
    if (series) {
      for (const s of series.slots) {
        // The current second counts; slots older than the window do not.
        if (s.second < 0 || s.second <= nowSec - w || s.second > nowSec) continue;
        requests += s.requests;
        errors += s.errors;
        latencyCount += s.latencyCount;
        ttftCount += s.ttftCount;
        for (let i = 0; i < BUCKETS; i++) {
          latency[i]! += s.latency[i]!;
          ttft[i]! += s.ttft[i]!;
        }
      }
    }
    const successes = requests - errors;
    return {
      backend,
      windowSeconds: w,
      requests,
      successes,
      errors,
      successRate: requests === 0 ? 1 : successes / requests,
      errorRate: requests === 0 ? 0 : errors / requests,
      latencyMs: percentiles(latency, latencyCount),
      ttftMs: percentiles(ttft, ttftCount),
    };
  }

  backends(): string[] {
    return [...this.#series.keys()].sort();
  }
}
