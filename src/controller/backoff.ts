/** Exponential backoff with a cap: `base · factor^attempt`, at most `max` (milliseconds). */
export function backoffDelay(attempt: number, options: { base: number; factor: number; max: number }): number {
  return Math.min(options.max, options.base * options.factor ** Math.max(0, attempt));
}

/**
 * Self-heal backoff as Argo CD does it: after each self-heal of the same app, wait longer before
 * fighting a human again (2 s, 6 s, 18 s … up to 5 min); reset once the app stays synced.
 */
export const SELF_HEAL_BACKOFF = { base: 2_000, factor: 3, max: 300_000 } as const;

/** Retry backoff of a failed sync (Application.spec.syncPolicy.retry.backoff defaults). */
export const SYNC_RETRY_BACKOFF = { base: 5_000, factor: 2, max: 180_000 } as const;
