/** Why an attempt failed, in the vocabulary of `routing.retryOn`. */
export type FailureKind = 'connect-failure' | '5xx' | '429' | 'reset' | 'timeout';

/**
 * Exponential backoff with full jitter (AWS architecture blog): a uniform delay in
 * [0, min(max, base * 2^attempt)). Jitter spreads retries of many clients so they don't stampede.
 * `random` is injectable so tests are deterministic.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.floor(random() * ceiling);
}

/** Parses `Retry-After` (seconds or an HTTP date) into milliseconds from `now`; undefined if absent or bad. */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v.trim())) return Math.ceil(Number(v) * 1000);
  const date = Date.parse(v);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Classifies an upstream HTTP status: undefined = a final answer to pass to the client. */
export function statusFailure(status: number): FailureKind | undefined {
  if (status === 429) return '429';
  if (status >= 500) return '5xx';
  return undefined;
}

/** Network error codes undici and node raise for refused/unreachable upstreams vs. resets mid-way. */
const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_CONNECT']);

/** Classifies a thrown upstream error. */
export function errorFailure(err: unknown): FailureKind {
  const code = (err as { code?: string } | null)?.code;
  if (code && CONNECT_CODES.has(code)) return 'connect-failure';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || (err as Error | null)?.name === 'TimeoutError') return 'timeout';
  return 'reset';
}

/** Whether a failure counts against the backend's breaker and its replica's outlier score. 429 is backpressure, not ill health. */
export function countsAsFailure(kind: FailureKind): boolean {
  return kind !== '429';
}
