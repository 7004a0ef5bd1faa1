/** Restart back-off: 1 s, doubling, capped at 5 min — as Kubernetes' CrashLoopBackOff does. */
export const BACKOFF_INITIAL_MS = 1000;
export const BACKOFF_MAX_MS = 5 * 60_000;

/**
 * Delay before restart number `failures` (1 = the first restart after a failure).
 *
 * @example
 * restartDelay(1) // 1000
 * restartDelay(4) // 8000
 */
export function restartDelay(failures: number, initialMs = BACKOFF_INITIAL_MS, maxMs = BACKOFF_MAX_MS): number {
  if (failures <= 0) return 0;
  // 2 ** 30 already exceeds any cap; clamping the exponent keeps the arithmetic finite.
  return Math.min(maxMs, initialMs * 2 ** Math.min(failures - 1, 30));
}

/**
 * Failures counted toward the next back-off: a replica that ran stably for `stableMs` earned a
 * fresh start, so one crash after a day of service restarts in 1 s, not 5 min.
 */
export function failuresAfterExit(previousFailures: number, ranForMs: number, stableMs: number): number {
  return ranForMs >= stableMs ? 1 : previousFailures + 1;
}
