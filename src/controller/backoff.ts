/** Exponential backoff with a cap: `base · factor^attempt`, at most `max` (milliseconds). */
export function backoffDelay(attempt: number, options: { base: number; factor: number; max: number }): number {
  return Math.min(options.max, options.base * options.factor ** Math.max(0, attempt));
}

/**
 * Self-heal backoff: drift is healed 5 s after it is seen, and after each self-heal of the same
 * app the wait doubles (5 s, 10 s, 20 s … up to 5 min) so the controller never fights a human
 * every second; it resets once the app stays synced past the wait.
 */
export const SELF_HEAL_BACKOFF = { base: 5_000, factor: 2, max: 300_000 } as const;

/** Retry backoff of a failed sync (Application.spec.syncPolicy.retry.backoff defaults). */
export const SYNC_RETRY_BACKOFF = { base: 5_000, factor: 2, max: 180_000 } as const;
